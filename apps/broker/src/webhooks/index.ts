export { WebhooksModule } from './webhooks.module.js';
export { WebhooksService, webhookSignature, WEBHOOK_QUEUE, type DeliveryView, type WebhookType } from './webhooks.service.js';
export { newWebhookSecret, webhookSecretContext } from './webhook-secret.js';
