// The shared log's schema: its tables and functions, version by version,
// and ensure_schema(), which creates or migrates it (shared_log.hpp).
#include "persist/pg/shared_log.hpp"

namespace rosterd::persist::pg {

namespace {

constexpr char const* schema_v1 = R"sql(
CREATE TABLE roster_schema (version integer NOT NULL);
CREATE TABLE roster_head (
  id smallint PRIMARY KEY CHECK (id = 1),
  log_id uuid NOT NULL,
  seq bigint NOT NULL,
  min_seq bigint NOT NULL,
  next_ids bigint[] NOT NULL);
CREATE TABLE roster_change (
  seq bigint PRIMARY KEY,
  first_seq bigint NOT NULL,
  batch uuid NOT NULL,
  committed_at timestamptz NOT NULL DEFAULT now(),
  payload bytea NOT NULL);
CREATE TABLE roster_record (
  kind smallint NOT NULL,
  id bigint NOT NULL,
  seq bigint NOT NULL,
  payload bytea NOT NULL,
  PRIMARY KEY (kind, id));
INSERT INTO roster_head VALUES (1, gen_random_uuid(), 0, 0, '{1,1,1}');

CREATE FUNCTION rosterd_append(p_log_id uuid, p_expected bigint, p_nonce uuid, p_count bigint, p_changes bytea,
    p_puts bytea, p_put_kinds smallint[], p_put_ids bigint[], p_put_offsets integer[], p_put_sizes integer[],
    p_removed_kinds smallint[], p_removed_ids bigint[], p_next_ids bigint[]) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_last bigint;
BEGIN
  UPDATE roster_head SET seq = seq + p_count, next_ids = p_next_ids
   WHERE id = 1 AND seq = p_expected AND log_id = p_log_id RETURNING seq INTO v_last;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the change log moved past %', p_expected USING ERRCODE = '40001';
  END IF;
  INSERT INTO roster_change (seq, first_seq, batch, payload) VALUES (v_last, p_expected + 1, p_nonce, p_changes);
  INSERT INTO roster_record (kind, id, seq, payload)
    SELECT k, i, v_last, substr(p_puts, o, s)
      FROM unnest(p_put_kinds, p_put_ids, p_put_offsets, p_put_sizes) AS t(k, i, o, s)
    ON CONFLICT (kind, id) DO UPDATE SET seq = EXCLUDED.seq, payload = EXCLUDED.payload;
  DELETE FROM roster_record r USING unnest(p_removed_kinds, p_removed_ids) AS d(k, i)
   WHERE r.kind = d.k AND r.id = d.i;
  PERFORM pg_notify('rosterd', v_last::text);
  RETURN v_last;
END $$;

CREATE FUNCTION rosterd_trim(p_keep_changes bigint, p_keep_age interval) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_cut bigint;
  v_kept bigint;
BEGIN
  SELECT c.seq INTO v_cut FROM roster_change c, roster_head h
   WHERE h.id = 1 AND c.seq > h.min_seq AND c.seq <= h.seq - p_keep_changes
     AND c.committed_at < now() - p_keep_age
   ORDER BY c.seq DESC LIMIT 1;
  IF v_cut IS NOT NULL THEN
    UPDATE roster_head SET min_seq = v_cut WHERE id = 1;
    DELETE FROM roster_change WHERE seq < v_cut;
  END IF;
  SELECT min_seq INTO v_kept FROM roster_head WHERE id = 1;
  RETURN v_kept;
END $$;

INSERT INTO roster_schema VALUES (1);
)sql";

// Version 2: rosterd_append also checks the batch at the expected position,
// so that a node on another history (a store restored, or a failover to a
// standby that was behind) cannot append on stale state when its position
// happens to equal the new head; and rosterd_trim_mark moves the log's start
// without deleting, so that trimming holds the head row only for a moment.
// Version 1's functions stay for nodes not yet upgraded.
constexpr char const* schema_v2 = R"sql(
CREATE FUNCTION rosterd_append(p_log_id uuid, p_expected bigint, p_expected_batch uuid, p_nonce uuid,
    p_count bigint, p_changes bytea, p_puts bytea, p_put_kinds smallint[], p_put_ids bigint[],
    p_put_offsets integer[], p_put_sizes integer[], p_removed_kinds smallint[], p_removed_ids bigint[],
    p_next_ids bigint[]) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
  IF p_expected > 0 AND NOT EXISTS (SELECT 1 FROM roster_change
                                     WHERE seq = p_expected AND batch IS NOT DISTINCT FROM p_expected_batch) THEN
    RAISE EXCEPTION 'the change log has another batch at %', p_expected USING ERRCODE = '40001';
  END IF;
  RETURN rosterd_append(p_log_id, p_expected, p_nonce, p_count, p_changes, p_puts, p_put_kinds, p_put_ids,
                        p_put_offsets, p_put_sizes, p_removed_kinds, p_removed_ids, p_next_ids);
END $$;
-- Moves the log's start (a short transaction on the head row); the rows
-- below it are deleted afterwards in small batches, off the head row.
CREATE FUNCTION rosterd_trim_mark(p_keep_changes bigint, p_keep_age interval) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_cut bigint;
  v_kept bigint;
BEGIN
  SELECT c.seq INTO v_cut FROM roster_change c, roster_head h
   WHERE h.id = 1 AND c.seq > h.min_seq AND c.seq <= h.seq - p_keep_changes
     AND c.committed_at < now() - p_keep_age
   ORDER BY c.seq DESC LIMIT 1;
  IF v_cut IS NOT NULL THEN
    UPDATE roster_head SET min_seq = greatest(min_seq, v_cut) WHERE id = 1;
  END IF;
  SELECT min_seq INTO v_kept FROM roster_head WHERE id = 1;
  RETURN v_kept;
END $$;
-- Version 1's trim, for nodes not yet upgraded, as the mark and a delete.
CREATE OR REPLACE FUNCTION rosterd_trim(p_keep_changes bigint, p_keep_age interval) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_kept bigint := rosterd_trim_mark(p_keep_changes, p_keep_age);
BEGIN
  DELETE FROM roster_change WHERE seq < v_kept;
  RETURN v_kept;
END $$;
INSERT INTO roster_schema VALUES (2);
)sql";

// Version 3: tokens' last uses, shared by the nodes outside the log
// (token_use.cpp): each node sends its own and takes the later of the two.
constexpr char const* schema_v3 = R"sql(
CREATE TABLE roster_token_use (
  token_id bigint PRIMARY KEY,
  last_used bigint NOT NULL);
INSERT INTO roster_schema VALUES (3);
)sql";

// Any number, so long as every rosterd uses the same one.
constexpr char const* schema_lock = "SELECT pg_advisory_xact_lock(7236193524011)";

} // namespace

void ensure_schema(connection& c, deadline until)
{
    in_transaction(c, "BEGIN", until, [&] {
        c.exec(schema_lock, until);
        auto const exists = c.exec("SELECT to_regclass('roster_schema') IS NOT NULL", until);
        if (exists.text(0, 0) != "t")
            c.run_script(schema_v1, until);
        auto const v = c.exec("SELECT coalesce(max(version), 0) FROM roster_schema", until).number(0, 0);
        if (v > schema_version)
            throw std::runtime_error("the PostgreSQL store has schema version " + std::to_string(v) +
                                     ", newer than this rosterd knows (" + std::to_string(schema_version) +
                                     "): upgrade rosterd");
        if (v < 1)
            throw std::runtime_error("the PostgreSQL store has roster_schema but no version row: not a rosterd "
                                     "store, or a damaged one");
        // Migrations from older versions, one step per version.
        if (v < 2)
            c.run_script(schema_v2, until);
        if (v < 3)
            c.run_script(schema_v3, until);
    });
}

} // namespace rosterd::persist::pg
