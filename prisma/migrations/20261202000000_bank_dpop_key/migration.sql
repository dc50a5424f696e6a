-- Each bank names the DPoP key its tokens are bound to; existing banks keep the key named after them.
ALTER TABLE "banks" ADD COLUMN "dpop_key_id" TEXT;
UPDATE "banks" SET "dpop_key_id" = "id";
ALTER TABLE "banks" ALTER COLUMN "dpop_key_id" SET NOT NULL;
