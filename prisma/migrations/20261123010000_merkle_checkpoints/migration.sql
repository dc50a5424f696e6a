-- Complete Merkle subtrees above the ledger's leaves, and signed tree heads.
CREATE TABLE "merkle_nodes" (
    "level" SMALLINT NOT NULL,
    "idx" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "merkle_nodes_pkey" PRIMARY KEY ("level","idx")
);

CREATE TABLE "checkpoints" (
    "tree_size" BIGINT NOT NULL,
    "root_hash" TEXT NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,
    "key_id" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "checkpoints_pkey" PRIMARY KEY ("tree_size")
);

-- Like the entries, the tree and its signed heads only grow.
CREATE TRIGGER merkle_nodes_append_only
  BEFORE UPDATE OR DELETE ON "merkle_nodes"
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_refuse_change();

CREATE TRIGGER checkpoints_append_only
  BEFORE UPDATE OR DELETE ON "checkpoints"
  FOR EACH ROW EXECUTE FUNCTION ledger_entries_refuse_change();
