import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createVerificationSchema, idempotencyKeySchema } from '@kyc/common-schema';
import { requestIdOf } from '@kyc/platform';
import { CurrentPrincipal, enterpriseOf, Roles, type Principal } from '../auth/index.js';
import { verificationView, type VerificationView } from './verification.view.js';
import { VerificationsService, type CreatedVerification } from './verifications.service.js';

@Controller('v1/verifications')
@Roles('enterprise')
export class VerificationsController {
  constructor(private readonly verifications: VerificationsService) {}

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
