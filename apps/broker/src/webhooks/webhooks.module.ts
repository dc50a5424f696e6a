import { Module } from '@nestjs/common';
import { WebhooksService } from './webhooks.service.js';

/** Signed webhook deliveries, at least once, through BullMQ; features emit, operators list and replay. */
@Module({ providers: [WebhooksService], exports: [WebhooksService] })
export class WebhooksModule {}
