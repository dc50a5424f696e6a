import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { requestIdOf } from '@kyc/platform';
import { CurrentPrincipal, enterpriseOf, Roles, type Principal } from '../auth/index.js';
import { IdentityService, type FullIdentity, type MatchOnlyIdentity } from './identity.service.js';

@Controller('v1/verifications')
@Roles('enterprise')
export class IdentityController {
  constructor(private readonly identity: IdentityService) {}

  /** The release (SPEC §5): never cached, committed to the ledger before it leaves. */
  @Get(':id/identity')
  async identityOf(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<FullIdentity | MatchOnlyIdentity> {
    res.setHeader('Cache-Control', 'no-store');
    return this.identity.release(enterpriseOf(principal), id, requestIdOf(req, res));
  }
}
