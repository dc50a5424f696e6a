-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('enterprise', 'auditor', 'operator');

-- CreateEnum
CREATE TYPE "EnterpriseStatus" AS ENUM ('active', 'suspended');

-- CreateEnum
CREATE TYPE "BankStatus" AS ENUM ('open', 'closed');

-- CreateEnum
CREATE TYPE "ContractMode" AS ENUM ('full', 'match_only');

-- CreateEnum
CREATE TYPE "ContractStatus" AS ENUM ('active', 'ended');

-- CreateEnum
CREATE TYPE "VerificationStatus" AS ENUM ('pending', 'authorized', 'denied', 'expired', 'failed', 'revoked');

-- CreateTable
CREATE TABLE "enterprises" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" "EnterpriseStatus" NOT NULL DEFAULT 'active',
    "redirect_uris" TEXT[],
    "webhook_url" TEXT,
    "webhook_secret_sealed" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "enterprises_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL,
    "role" "ApiKeyRole" NOT NULL,
    "enterprise_id" TEXT,
    "key_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "banks" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" "BankStatus" NOT NULL DEFAULT 'open',
    "issuer" TEXT NOT NULL,
    "adapter" TEXT NOT NULL,
    "max_rps" INTEGER NOT NULL DEFAULT 50,
    "max_concurrency" INTEGER NOT NULL DEFAULT 16,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "banks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contracts" (
    "id" TEXT NOT NULL,
    "enterprise_id" TEXT NOT NULL,
    "bank_id" TEXT NOT NULL,
    "claims" TEXT[],
    "purposes" TEXT[],
    "mode" "ContractMode" NOT NULL,
    "status" "ContractStatus" NOT NULL DEFAULT 'active',
    "valid_from" TIMESTAMPTZ(3),
    "valid_until" TIMESTAMPTZ(3),
    "rate_limit_rps" INTEGER,
    "access_ttl_seconds" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "contracts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "verifications" (
    "id" TEXT NOT NULL,
    "enterprise_id" TEXT NOT NULL,
    "bank_id" TEXT NOT NULL,
    "contract_id" TEXT NOT NULL,
    "claims" TEXT[],
    "purpose" TEXT NOT NULL,
    "mode" "ContractMode" NOT NULL,
    "redirect_uri" TEXT NOT NULL,
    "client_state" TEXT,
    "status" "VerificationStatus" NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "state_hash" TEXT,
    "flow_sealed" TEXT,
    "tokens_sealed" TEXT,
    "applicant_sealed" TEXT,
    "subject" TEXT,
    "subject_ref" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "authorized_at" TIMESTAMPTZ(3),
    "access_expires_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "verifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_records" (
    "enterprise_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "status_code" INTEGER NOT NULL,
    "response" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("enterprise_id","key")
);

-- CreateTable
CREATE TABLE "ledger_entries" (
    "seq" BIGINT NOT NULL,
    "type" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "enterprise_id" TEXT NOT NULL,
    "bank_id" TEXT NOT NULL,
    "verification_id" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "subject_ref" TEXT,
    "entry" TEXT NOT NULL,
    "leaf_hash" TEXT NOT NULL,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "ledger_head" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "next_seq" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "ledger_head_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "contracts_enterprise_id_bank_id_idx" ON "contracts"("enterprise_id", "bank_id");

-- CreateIndex
CREATE INDEX "contracts_bank_id_idx" ON "contracts"("bank_id");

-- CreateIndex
CREATE UNIQUE INDEX "verifications_state_hash_key" ON "verifications"("state_hash");

-- CreateIndex
CREATE INDEX "verifications_enterprise_id_created_at_idx" ON "verifications"("enterprise_id", "created_at");

-- CreateIndex
CREATE INDEX "verifications_status_expires_at_idx" ON "verifications"("status", "expires_at");

-- CreateIndex
CREATE INDEX "ledger_entries_enterprise_id_seq_idx" ON "ledger_entries"("enterprise_id", "seq" DESC);

-- CreateIndex
CREATE INDEX "ledger_entries_bank_id_seq_idx" ON "ledger_entries"("bank_id", "seq" DESC);

-- CreateIndex
CREATE INDEX "ledger_entries_verification_id_idx" ON "ledger_entries"("verification_id");

-- CreateIndex
CREATE INDEX "ledger_entries_subject_ref_idx" ON "ledger_entries"("subject_ref");

-- CreateIndex
CREATE INDEX "ledger_entries_occurred_at_idx" ON "ledger_entries"("occurred_at");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_enterprise_id_fkey" FOREIGN KEY ("enterprise_id") REFERENCES "enterprises"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_enterprise_id_fkey" FOREIGN KEY ("enterprise_id") REFERENCES "enterprises"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contracts" ADD CONSTRAINT "contracts_bank_id_fkey" FOREIGN KEY ("bank_id") REFERENCES "banks"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "verifications" ADD CONSTRAINT "verifications_enterprise_id_fkey" FOREIGN KEY ("enterprise_id") REFERENCES "enterprises"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "verifications" ADD CONSTRAINT "verifications_bank_id_fkey" FOREIGN KEY ("bank_id") REFERENCES "banks"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "verifications" ADD CONSTRAINT "verifications_contract_id_fkey" FOREIGN KEY ("contract_id") REFERENCES "contracts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- One active contract per (enterprise, bank).
CREATE UNIQUE INDEX "contracts_one_active_per_pair" ON "contracts" ("enterprise_id", "bank_id") WHERE "status" = 'active';

-- The ledger is append-only, in the database too.
CREATE FUNCTION ledger_entries_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER ledger_entries_append_only
  BEFORE UPDATE OR DELETE ON "ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_refuse_change();

CREATE TRIGGER ledger_entries_no_truncate
  BEFORE TRUNCATE ON "ledger_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_refuse_change();

INSERT INTO "ledger_head" ("id", "next_seq") VALUES (1, 0);
