-- The ledger at scale and against its own operator (docs/adr/0011-ledger-group-commit-and-roles.md):
-- appends through one SECURITY DEFINER function that keeps the tree's right edge in ledger_head,
-- a runtime role that can only read the ledger and call that function, daily counts for the
-- statistics, signed notes and witness cosignatures for checkpoints.

-- The runtime role. `npm run setup` creates it with LOGIN (and the owner role migrations run as);
-- created here without LOGIN when missing, so the migrations also apply on their own.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kyc_app') THEN
    CREATE ROLE kyc_app NOLOGIN;
  END IF;
END
$$;

-- The right edge of the tree: the roots of the complete subtrees covering [0, next_seq), largest
-- first (at most log2 n hashes). With it an append needs no sibling reads, and the root of the
-- whole tree is a fold of these hashes.
ALTER TABLE "ledger_head"
  ADD COLUMN "frontier" BYTEA[] NOT NULL DEFAULT '{}',
  ADD COLUMN "last_occurred_at" TIMESTAMPTZ(3);

-- The frontier of the tree that exists already: for each set bit of the size, the stored node of
-- that complete subtree (the leaf itself for a single leaf).
DO $$
DECLARE
  v_size BIGINT := (SELECT next_seq FROM ledger_head WHERE id = 1);
  v_start BIGINT := 0;
  v_hash TEXT;
  v_edge BYTEA[] := '{}';
BEGIN
  FOR v_level IN REVERSE 62..0 LOOP
    IF (v_size >> v_level) & 1 = 1 THEN
      IF v_level = 0 THEN
        SELECT e.leaf_hash INTO v_hash FROM ledger_entries e WHERE e.seq = v_start;
      ELSE
        SELECT m.hash INTO v_hash FROM merkle_nodes m WHERE m.level = v_level AND m.idx = v_start >> v_level;
      END IF;
      IF v_hash IS NULL THEN
        RAISE EXCEPTION 'the stored Merkle tree is incomplete at level % index %', v_level, v_start >> v_level;
      END IF;
      v_edge := v_edge || decode(v_hash, 'hex');
      v_start := v_start + (1::BIGINT << v_level);
      v_hash := NULL;
    END IF;
  END LOOP;
  UPDATE ledger_head
     SET frontier = v_edge,
         last_occurred_at = (SELECT max(occurred_at) FROM ledger_entries)
   WHERE id = 1;
END
$$;

-- Entries per UTC day × bank × enterprise × outcome, kept by the append: the dashboard's statistics
-- read a few hundred rows instead of scanning a month of entries.
CREATE TABLE "ledger_daily_counts" (
    "day" DATE NOT NULL,
    "bank_id" TEXT NOT NULL,
    "enterprise_id" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "ledger_daily_counts_pkey" PRIMARY KEY ("day", "bank_id", "enterprise_id", "outcome")
);

INSERT INTO "ledger_daily_counts" ("day", "bank_id", "enterprise_id", "outcome", "count")
SELECT (occurred_at AT TIME ZONE 'UTC')::date, bank_id, enterprise_id, outcome, count(*)
  FROM ledger_entries
 GROUP BY 1, 2, 3, 4;

-- Indexes fitted to the auditor filters (SPEC §4): a selective filter (enterprise, verification,
-- subject) walks its own index newest first; a coarse one (bank, type, outcome: two banks, seven
-- types, three outcomes) finds a page within a few thousand rows of the primary key walked backwards,
-- so it costs no index on every append. Time bounds become `seq` bounds through (occurred_at, seq),
-- since occurred_at never decreases along seq (ledger_append enforces it). docs/adr/0011.
DROP INDEX "ledger_entries_bank_id_seq_idx";
DROP INDEX "ledger_entries_verification_id_idx";
DROP INDEX "ledger_entries_subject_ref_idx";
DROP INDEX "ledger_entries_occurred_at_idx";
CREATE INDEX "ledger_entries_verification_id_seq_idx" ON "ledger_entries" ("verification_id", "seq" DESC);
CREATE INDEX "ledger_entries_subject_ref_seq_idx" ON "ledger_entries" ("subject_ref", "seq" DESC) WHERE "subject_ref" IS NOT NULL;
CREATE INDEX "ledger_entries_occurred_at_seq_idx" ON "ledger_entries" ("occurred_at", "seq");

-- Appends a batch of entries whose seq starts at p_first_seq. When the head has moved on (another
-- instance appended) or the batch's first occurred_at is older than the last one, nothing is written
-- and the current head is answered, so the caller can renumber and retry; otherwise the entries,
-- the subtrees they complete, the daily counts and the head are written, and the new head is
-- answered. Each entry is the canonical JSON its leaf hash covers, and the columns the auditor
-- filters on come beside it; both are checked here — the leaf hash recomputed, each column found
-- verbatim as its member of the canonical text (where keys are unique and quotes escaped, so the
-- match is exact) — so not even the runtime role can store an entry that does not match its leaf,
-- or index it under another enterprise than the one it names.
CREATE FUNCTION ledger_append(
  p_first_seq BIGINT, p_entries TEXT[], p_leaf_hashes TEXT[], p_types TEXT[], p_occurred_at TIMESTAMPTZ[],
  p_enterprise_ids TEXT[], p_bank_ids TEXT[], p_verification_ids TEXT[], p_outcomes TEXT[], p_subject_refs TEXT[]
)
RETURNS TABLE (head_next_seq BIGINT, head_last_occurred_at TIMESTAMPTZ, appended BOOLEAN)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_head ledger_head%ROWTYPE;
  v_count INT := coalesce(array_length(p_entries, 1), 0);
  v_edge BYTEA[];
  v_text TEXT;
  v_hash BYTEA;
  v_leaves BYTEA[] := '{}';
  v_seq BIGINT;
  v_idx BIGINT;
  v_level SMALLINT;
  v_node_levels SMALLINT[] := '{}';
  v_node_idx BIGINT[] := '{}';
  v_node_hashes TEXT[] := '{}';
BEGIN
  IF v_count = 0 OR v_count <> coalesce(array_length(p_leaf_hashes, 1), 0) OR v_count <> coalesce(array_length(p_types, 1), 0)
     OR v_count <> coalesce(array_length(p_occurred_at, 1), 0) OR v_count <> coalesce(array_length(p_enterprise_ids, 1), 0)
     OR v_count <> coalesce(array_length(p_bank_ids, 1), 0) OR v_count <> coalesce(array_length(p_verification_ids, 1), 0)
     OR v_count <> coalesce(array_length(p_outcomes, 1), 0) OR v_count <> coalesce(array_length(p_subject_refs, 1), 0) THEN
    RAISE EXCEPTION 'ledger_append needs at least one entry and as many of each column as entries' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- What does not depend on the head is checked before the lock, so that concurrent batches
  -- overlap it: each entry's columns against its text, and its leaf hash.
  FOR i IN 1..v_count LOOP
    v_text := p_entries[i];
    IF p_occurred_at[i] IS NULL OR (i > 1 AND p_occurred_at[i] < p_occurred_at[i - 1])
       OR strpos(v_text, '"occurred_at":"' || to_char(p_occurred_at[i] AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"') = 0
       OR strpos(v_text, '"type":"' || p_types[i] || '"') = 0
       OR strpos(v_text, '"enterprise_id":"' || p_enterprise_ids[i] || '"') = 0
       OR strpos(v_text, '"bank_id":"' || p_bank_ids[i] || '"') = 0
       OR strpos(v_text, '"verification_id":"' || p_verification_ids[i] || '"') = 0
       OR strpos(v_text, '"outcome":"' || p_outcomes[i] || '"') = 0
       OR (p_subject_refs[i] IS NULL AND strpos(v_text, '"subject_ref":') > 0)
       OR (p_subject_refs[i] IS NOT NULL AND strpos(v_text, '"subject_ref":"' || p_subject_refs[i] || '"') = 0) THEN
      RAISE EXCEPTION 'entry % of the batch does not say what its columns say, or is older than the one before it', i USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_hash := sha256('\x00'::BYTEA || convert_to(v_text, 'UTF8'));
    IF encode(v_hash, 'hex') <> p_leaf_hashes[i] THEN
      RAISE EXCEPTION 'entry % of the batch does not match its leaf hash', i USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_leaves := v_leaves || v_hash;
  END LOOP;

  SELECT * INTO STRICT v_head FROM ledger_head WHERE id = 1 FOR UPDATE;
  IF v_head.next_seq <> p_first_seq OR (v_head.last_occurred_at IS NOT NULL AND p_occurred_at[1] < v_head.last_occurred_at) THEN
    RETURN QUERY SELECT v_head.next_seq, v_head.last_occurred_at, false;
    RETURN;
  END IF;

  v_edge := v_head.frontier;
  FOR i IN 1..v_count LOOP
    v_seq := p_first_seq + i - 1;
    -- "type" always follows "seq" in the canonical order, so the seq member ends with a comma.
    IF strpos(p_entries[i], '"seq":' || v_seq || ',') = 0 THEN
      RAISE EXCEPTION 'entry % carries another seq', v_seq USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_hash := v_leaves[i];
    -- Every trailing 1 bit of seq completes one more subtree with the edge's last hash.
    v_idx := v_seq;
    v_level := 0;
    WHILE v_idx % 2 = 1 LOOP
      v_hash := sha256('\x01'::BYTEA || v_edge[array_length(v_edge, 1)] || v_hash);
      v_edge := v_edge[1:array_length(v_edge, 1) - 1];
      v_idx := v_idx / 2;
      v_level := v_level + 1;
      v_node_levels := v_node_levels || v_level;
      v_node_idx := v_node_idx || v_idx;
      v_node_hashes := v_node_hashes || encode(v_hash, 'hex');
    END LOOP;
    v_edge := v_edge || v_hash;
  END LOOP;

  INSERT INTO ledger_entries (seq, type, occurred_at, enterprise_id, bank_id, verification_id, outcome, subject_ref, entry, leaf_hash)
  SELECT p_first_seq + u.n - 1, u.type, u.occurred_at, u.enterprise_id, u.bank_id, u.verification_id, u.outcome, u.subject_ref, u.entry, u.leaf_hash
    FROM unnest(p_types, p_occurred_at, p_enterprise_ids, p_bank_ids, p_verification_ids, p_outcomes, p_subject_refs, p_entries, p_leaf_hashes)
         WITH ORDINALITY AS u(type, occurred_at, enterprise_id, bank_id, verification_id, outcome, subject_ref, entry, leaf_hash, n);

  IF array_length(v_node_levels, 1) > 0 THEN
    INSERT INTO merkle_nodes (level, idx, hash) SELECT * FROM unnest(v_node_levels, v_node_idx, v_node_hashes);
  END IF;

  INSERT INTO ledger_daily_counts AS c (day, bank_id, enterprise_id, outcome, count)
  SELECT (u.occurred_at AT TIME ZONE 'UTC')::DATE, u.bank_id, u.enterprise_id, u.outcome, count(*)
    FROM unnest(p_occurred_at, p_bank_ids, p_enterprise_ids, p_outcomes) AS u(occurred_at, bank_id, enterprise_id, outcome)
   GROUP BY 1, 2, 3, 4
  ON CONFLICT (day, bank_id, enterprise_id, outcome) DO UPDATE SET count = c.count + EXCLUDED.count;

  UPDATE ledger_head SET next_seq = p_first_seq + v_count, frontier = v_edge, last_occurred_at = p_occurred_at[v_count] WHERE id = 1;
  RETURN QUERY SELECT p_first_seq + v_count, p_occurred_at[v_count], true;
END
$$;

-- Takes the head lock for the rest of the caller's transaction and answers the head: a caller that
-- must not miss (a consent change, or a batch that missed once) numbers its entries from this.
CREATE FUNCTION ledger_lock_head()
RETURNS TABLE (head_next_seq BIGINT, head_last_occurred_at TIMESTAMPTZ)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT next_seq, last_occurred_at FROM ledger_head WHERE id = 1 FOR UPDATE
$$;

-- Checkpoints as C2SP signed notes, and the witnesses' cosignatures of them.
ALTER TABLE "checkpoints" ADD COLUMN "note" TEXT;

CREATE TABLE "ledger_witnesses" (
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "verifier_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_witnesses_pkey" PRIMARY KEY ("name")
);

CREATE TABLE "checkpoint_cosignatures" (
    "tree_size" BIGINT NOT NULL,
    "witness" TEXT NOT NULL,
    "signature_line" TEXT NOT NULL,
    "cosigned_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "checkpoint_cosignatures_pkey" PRIMARY KEY ("tree_size", "witness"),
    CONSTRAINT "checkpoint_cosignatures_tree_size_fkey" FOREIGN KEY ("tree_size") REFERENCES "checkpoints"("tree_size") ON DELETE RESTRICT ON UPDATE RESTRICT
);

-- Append-only, TRUNCATE included, for every ledger table; the head changes only by ledger_append.
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER merkle_nodes_no_truncate BEFORE TRUNCATE ON "merkle_nodes" FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON "checkpoints" FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER checkpoint_cosignatures_append_only BEFORE UPDATE OR DELETE ON "checkpoint_cosignatures" FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER checkpoint_cosignatures_no_truncate BEFORE TRUNCATE ON "checkpoint_cosignatures" FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_head_keep BEFORE DELETE ON "ledger_head" FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_head_no_truncate BEFORE TRUNCATE ON "ledger_head" FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_daily_counts_no_truncate BEFORE TRUNCATE ON "ledger_daily_counts" FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- What the runtime role may do: everything on the operational tables, only read the ledger, add
-- checkpoints and cosignatures, and append through ledger_append.
GRANT USAGE ON SCHEMA public TO kyc_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON
  "enterprises", "api_keys", "banks", "contracts", "verifications", "idempotency_records", "webhook_deliveries", "ledger_witnesses"
  TO kyc_app;
GRANT SELECT ON "ledger_entries", "merkle_nodes", "ledger_head", "ledger_daily_counts" TO kyc_app;
GRANT SELECT, INSERT ON "checkpoints", "checkpoint_cosignatures" TO kyc_app;
REVOKE ALL ON FUNCTION ledger_append(BIGINT, TEXT[], TEXT[], TEXT[], TIMESTAMPTZ[], TEXT[], TEXT[], TEXT[], TEXT[], TEXT[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ledger_append(BIGINT, TEXT[], TEXT[], TEXT[], TIMESTAMPTZ[], TEXT[], TEXT[], TEXT[], TEXT[], TEXT[]) TO kyc_app;
REVOKE ALL ON FUNCTION ledger_lock_head() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ledger_lock_head() TO kyc_app;
