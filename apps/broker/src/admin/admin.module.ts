import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/index.js';
import { WebhooksModule } from '../webhooks/index.js';
import { AdminController } from './admin.controller.js';
import { AdminService } from './admin.service.js';

/** Operator actions: tenants, keys, contracts, banks, failed webhook deliveries. */
@Module({ imports: [AuthModule, WebhooksModule], controllers: [AdminController], providers: [AdminService] })
export class AdminModule {}
