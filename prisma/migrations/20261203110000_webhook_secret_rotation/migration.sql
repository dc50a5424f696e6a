-- Webhook secret rotation with an overlap window (issue 9): the previous secret, sealed, and until
-- when deliveries are signed with it too.
ALTER TABLE "enterprises" ADD COLUMN "webhook_secret_previous_sealed" TEXT;
ALTER TABLE "enterprises" ADD COLUMN "webhook_secret_previous_until" TIMESTAMPTZ(3);
