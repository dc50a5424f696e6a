import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  contractFilterSchema,
  createContractSchema,
  createEnterpriseSchema,
  createStaffKeySchema,
  deliveryFilterSchema,
  isId,
  patchBankSchema,
  patchContractSchema,
  patchEnterpriseSchema,
} from '@kyc/common-schema';
import { ProblemError } from '@kyc/platform';
import { ApiKeysService, BOOTSTRAP_KEY_ID, Roles } from '../auth/index.js';
import { WebhooksService, type DeliveryView } from '../webhooks/index.js';
import { AdminService } from './admin.service.js';
import { bankView, contractView, enterpriseView } from './admin.views.js';

@Controller('v1/admin')
@Roles('operator')
export class AdminController {
  constructor(
    private readonly admin: AdminService,
    private readonly keys: ApiKeysService,
    private readonly webhooks: WebhooksService,
  ) {}

  @Get('webhook-deliveries')
  async deliveries(@Query() query: unknown): Promise<{ data: DeliveryView[] }> {
    const { status } = deliveryFilterSchema.parse(query);
    return { data: await this.webhooks.list(status) };
  }

  @Post('webhook-deliveries/:id/retry')
  @HttpCode(202)
  retryDelivery(@Param('id') id: string): Promise<{ id: string; status: 'pending' }> {
    return this.webhooks.retry(id);
  }

  @Post('enterprises')
  async createEnterprise(@Body() body: unknown): Promise<Record<string, unknown>> {
    const { enterprise, webhookSecret } = await this.admin.createEnterprise(createEnterpriseSchema.parse(body));
    return { ...enterpriseView(enterprise), webhook_secret: webhookSecret };
  }

  @Get('enterprises')
  async listEnterprises(): Promise<{ data: Record<string, unknown>[] }> {
    return { data: (await this.admin.listEnterprises()).map(enterpriseView) };
  }

  @Patch('enterprises/:id')
  async patchEnterprise(@Param('id') id: string, @Body() body: unknown): Promise<Record<string, unknown>> {
    return enterpriseView(await this.admin.patchEnterprise(id, patchEnterpriseSchema.parse(body)));
  }

  @Post('enterprises/:id/webhook-secret/rotate')
  async rotateWebhookSecret(@Param('id') id: string): Promise<{ webhook_secret: string; previous_valid_until: string }> {
    const { webhookSecret, previousValidUntil } = await this.admin.rotateWebhookSecret(id);
    return { webhook_secret: webhookSecret, previous_valid_until: previousValidUntil.toISOString() };
  }

  @Post('enterprises/:id/api-keys')
  async createEnterpriseKey(@Param('id') id: string): Promise<Record<string, unknown>> {
    const enterprise = await this.admin.enterprise(id);
    const issued = await this.keys.issue('enterprise', enterprise.id);
    return { id: issued.id, key: issued.key, role: issued.role, enterprise_id: enterprise.id };
  }

  @Post('api-keys')
  async createStaffKey(@Body() body: unknown): Promise<Record<string, unknown>> {
    const issued = await this.keys.issue(createStaffKeySchema.parse(body).role);
    return { id: issued.id, key: issued.key, role: issued.role };
  }

  @Delete('api-keys/:id')
  @HttpCode(204)
  async revokeKey(@Param('id') id: string): Promise<void> {
    if (id === BOOTSTRAP_KEY_ID) return this.keys.disableBootstrap();
    if (!isId('apiKey', id)) throw new ProblemError('NOT_FOUND', 'No such API key.');
    await this.keys.revoke(id);
  }

  @Post('contracts')
  async createContract(@Body() body: unknown): Promise<Record<string, unknown>> {
    return contractView(await this.admin.createContract(createContractSchema.parse(body)));
  }

  @Get('contracts')
  async listContracts(@Query() query: unknown): Promise<{ data: Record<string, unknown>[] }> {
    return { data: (await this.admin.listContracts(contractFilterSchema.parse(query))).map(contractView) };
  }

  @Patch('contracts/:id')
  async patchContract(@Param('id') id: string, @Body() body: unknown): Promise<Record<string, unknown>> {
    return contractView(await this.admin.patchContract(id, patchContractSchema.parse(body)));
  }

  @Get('banks')
  async listBanks(): Promise<{ data: Record<string, unknown>[] }> {
    return { data: (await this.admin.listBanks()).map(bankView) };
  }

  @Patch('banks/:id')
  async patchBank(@Param('id') id: string, @Body() body: unknown): Promise<Record<string, unknown>> {
    return bankView(await this.admin.patchBank(id, patchBankSchema.parse(body)));
  }
}
