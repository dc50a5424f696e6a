import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { requestIdOf } from '@kyc/platform';
import { CurrentPrincipal, enterpriseOf, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { IdentityService, type FullIdentity, type MatchOnlyIdentity } from '../identity/identity.service.js';
import { verificationView, type VerificationView } from './verification.view.js';
import { createVerificationSchema, idempotencyKeySchema } from './verifications.dto.js';
import { VerificationsService, type CreatedVerification } from './verifications.service.js';

@Controller('v1/verifications')
@Roles('enterprise')
export class VerificationsController {
  constructor(
    private readonly verifications: VerificationsService,
    private readonly identity: IdentityService,
  ) {}

  @Post()
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CreatedVerification> {
    const key = idempotencyKey === undefined ? undefined : idempotencyKeySchema.parse(idempotencyKey);
    const created = await this.verifications.create(enterpriseOf(principal), createVerificationSchema.parse(body), key);
    res.setHeader('Location', `/v1/verifications/${created.id}`);
    return created;
  }

  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<VerificationView> {
    return verificationView(await this.verifications.get(enterpriseOf(principal), id));
  }

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

  @Delete(':id')
  @HttpCode(204)
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.verifications.revoke(enterpriseOf(principal), id, requestIdOf(req, res));
  }
}
