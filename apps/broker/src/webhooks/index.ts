export { WebhooksModule } from './webhooks.module.js';
export { WebhooksService, type DeliveryView, type OutboxEvent, type WebhookType } from './webhooks.service.js';
export { newWebhookSecret, previousWebhookSecretContext, webhookSecretContext } from './webhook-secret.js';
export { webhookUrlProblem } from './webhook-address.js';
