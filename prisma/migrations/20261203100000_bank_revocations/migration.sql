-- Revocations at the bank (RFC 7009) as an outbox: written in the transaction that revokes the
-- verification, carried out by a retried job, re-queued after a Redis loss (issue 10).
CREATE TYPE "RevocationStatus" AS ENUM ('pending', 'done', 'failed');

CREATE TABLE "bank_revocations" (
    "id" TEXT NOT NULL,
    "verification_id" TEXT NOT NULL,
    "bank_id" TEXT NOT NULL,
    "token_sealed" TEXT,
    "status" "RevocationStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "done_at" TIMESTAMPTZ(3),

    CONSTRAINT "bank_revocations_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "bank_revocations_status_created_at_idx" ON "bank_revocations"("status", "created_at");

ALTER TABLE "bank_revocations" ADD CONSTRAINT "bank_revocations_bank_id_fkey" FOREIGN KEY ("bank_id") REFERENCES "banks"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

GRANT SELECT, INSERT, UPDATE, DELETE ON "bank_revocations" TO kyc_app;
