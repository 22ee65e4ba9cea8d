"""The big, time-partitioned tables of the history store, the collector state and two SQL helpers.

Written as SQL because Django cannot declare native partitioning. The column lists are frozen here on
purpose: a migration must keep creating the schema it created the day it was written.
Design notes live in ``monitoring/history/__init__.py`` and ``monitoring/history/statements.py``.
"""

import datetime as dt

from django.db import migrations

COUNTERS = (
    "calls", "plans", "plan_us", "exec_us", "rows",
    "shared_blks_hit", "shared_blks_read", "shared_blks_dirtied", "shared_blks_written",
    "local_blks_hit", "local_blks_read", "local_blks_dirtied", "local_blks_written",
    "temp_blks_read", "temp_blks_written",
    "shared_read_us", "shared_write_us", "local_read_us", "local_write_us", "temp_read_us", "temp_write_us",
    "wal_records", "wal_fpi", "wal_bytes",
)
ARRAYS = ",\n    ".join(f"{c} int8[]" for c in COUNTERS)

STATEMENTS = f"""
CREATE TABLE monitoring_stmt_raw (
    target_id int NOT NULL,
    captured_at timestamptz NOT NULL,
    seconds real NOT NULL,
    nseq int NOT NULL,
    totals int8[] NOT NULL,
    seqs int4[] NOT NULL,
    {ARRAYS},
    PRIMARY KEY (target_id, captured_at)
) PARTITION BY RANGE (captured_at);

CREATE TABLE monitoring_stmt_hour (
    target_id int NOT NULL,
    hour timestamptz NOT NULL,
    through timestamptz NOT NULL,
    nseq int NOT NULL,
    totals int8[] NOT NULL,
    {ARRAYS},
    PRIMARY KEY (target_id, hour)
) PARTITION BY RANGE (hour);

CREATE TABLE monitoring_stmt_day (
    target_id int NOT NULL,
    day timestamptz NOT NULL,
    through timestamptz NOT NULL,
    nseq int NOT NULL,
    totals int8[] NOT NULL,
    {ARRAYS},
    PRIMARY KEY (target_id, day)
) PARTITION BY RANGE (day);

-- What the statements collector needs to diff the next read: the previous read of every statement.
-- UNLOGGED: rewritten every minute, worth no WAL; lost only in a crash of the history store, after
-- which the next collection re-baselines (one interval missing, never a wrong delta).
CREATE UNLOGGED TABLE monitoring_stmt_state (
    target_id int PRIMARY KEY,
    captured_at timestamptz,
    started_at timestamptz,
    stats_reset timestamptz,
    dealloc int8,
    nseq int NOT NULL,
    keys bytea NOT NULL,
    last bytea NOT NULL
);
-- Compressed by the collector already (zlib): do not let TOAST try pglz on it again.
ALTER TABLE monitoring_stmt_state ALTER COLUMN keys SET STORAGE EXTERNAL, ALTER COLUMN last SET STORAGE EXTERNAL;
"""

ACTIVITY = """
CREATE TABLE monitoring_activity_raw (
    target_id int NOT NULL,
    captured_at timestamptz NOT NULL,
    max_connections int NOT NULL,
    reserved_connections int NOT NULL,
    clients int NOT NULL,
    active int NOT NULL,
    idle int NOT NULL,
    idle_in_transaction int NOT NULL,
    idle_in_transaction_aborted int NOT NULL,
    other_state int NOT NULL,
    background int NOT NULL,
    waiting_lock int NOT NULL,
    waiting_other int NOT NULL,
    longest_query_seconds real,
    longest_query_pid int,
    longest_query_text_id bigint,
    longest_xact_seconds real,
    longest_xact_pid int,
    longest_idle_tx_seconds real,
    oldest_xmin_age bigint,
    by_database jsonb NOT NULL,
    by_user jsonb NOT NULL,
    by_application jsonb NOT NULL,
    by_client jsonb NOT NULL,
    by_wait_event jsonb NOT NULL,
    PRIMARY KEY (target_id, captured_at)
) PARTITION BY RANGE (captured_at);

CREATE TABLE monitoring_activity_hour (
    target_id int NOT NULL,
    hour timestamptz NOT NULL,
    samples int NOT NULL,
    max_connections int NOT NULL,
    reserved_connections int NOT NULL,
    clients_avg real NOT NULL,
    clients_max int NOT NULL,
    active_avg real NOT NULL,
    active_max int NOT NULL,
    idle_avg real NOT NULL,
    idle_max int NOT NULL,
    idle_in_transaction_avg real NOT NULL,
    idle_in_transaction_max int NOT NULL,
    waiting_lock_avg real NOT NULL,
    waiting_lock_max int NOT NULL,
    longest_query_seconds real,
    longest_xact_seconds real,
    longest_idle_tx_seconds real,
    by_database jsonb NOT NULL,
    by_user jsonb NOT NULL,
    by_application jsonb NOT NULL,
    by_client jsonb NOT NULL,
    by_wait_event jsonb NOT NULL,
    PRIMARY KEY (target_id, hour)
) PARTITION BY RANGE (hour);
"""

DB_COUNTERS = (
    "xact_commit", "xact_rollback", "blks_read", "blks_hit", "tup_returned", "tup_fetched",
    "tup_inserted", "tup_updated", "tup_deleted", "conflicts", "temp_files", "temp_bytes", "deadlocks",
    "checksum_failures", "sessions", "sessions_abandoned", "sessions_fatal", "sessions_killed",
    "checkpoints_timed", "checkpoints_req", "buffers_checkpoint", "buffers_clean", "maxwritten_clean",
    "buffers_backend", "buffers_alloc", "wal_records", "wal_fpi", "wal_bytes", "wal_buffers_full",
    "wal_write", "wal_sync",
)
DB_TIMES = (
    "blk_read_time", "blk_write_time", "session_time", "active_time", "idle_in_transaction_time",
    "checkpoint_write_time", "checkpoint_sync_time",
)
DB_COLUMNS = ",\n    ".join([f"{c} int8" for c in DB_COUNTERS] + [f"{c} float8" for c in DB_TIMES])

DATABASE = f"""
CREATE TABLE monitoring_database_raw (
    target_id int NOT NULL,
    captured_at timestamptz NOT NULL,
    started_at timestamptz,
    stats_reset timestamptz,
    cluster_stats_reset timestamptz,
    size_bytes int8,
    numbackends int,
    xid_age int8,
    mxid_age int8,
    {DB_COLUMNS},
    io jsonb,
    PRIMARY KEY (target_id, captured_at)
) PARTITION BY RANGE (captured_at);
CREATE TABLE monitoring_database_hour (LIKE monitoring_database_raw INCLUDING ALL) PARTITION BY RANGE (captured_at);
CREATE TABLE monitoring_database_day (LIKE monitoring_database_raw INCLUDING ALL) PARTITION BY RANGE (captured_at);
"""

TABLE_ARRAYS = (
    "heap_bytes", "toast_bytes", "index_bytes", "reltuples", "seq_scan", "seq_tup_read", "idx_scan",
    "idx_tup_fetch", "n_tup_ins", "n_tup_upd", "n_tup_del", "n_tup_hot_upd", "n_live_tup", "n_dead_tup",
    "n_mod_since_analyze", "vacuum_count", "autovacuum_count", "analyze_count", "autoanalyze_count",
    "xid_age", "mxid_age",
)
TABLE_TIMES = ("last_vacuum", "last_autovacuum", "last_analyze", "last_autoanalyze", "last_seq_scan")
INDEX_ARRAYS = ("bytes", "scans", "tup_read", "tup_fetch")
REL_COLUMNS = ",\n    ".join(
    ["t_seqs int4[] NOT NULL"]
    + [f"t_{c} int8[]" for c in TABLE_ARRAYS]
    + [f"t_{c} timestamptz[]" for c in TABLE_TIMES]
    + ["i_seqs int4[] NOT NULL"]
    + [f"i_{c} int8[]" for c in INDEX_ARRAYS]
    + ["i_last_scan timestamptz[]"]
)

RELATIONS = f"""
CREATE TABLE monitoring_relation_raw (
    target_id int NOT NULL,
    captured_at timestamptz NOT NULL,
    {REL_COLUMNS},
    PRIMARY KEY (target_id, captured_at)
) PARTITION BY RANGE (captured_at);
CREATE TABLE monitoring_relation_hour (LIKE monitoring_relation_raw INCLUDING ALL) PARTITION BY RANGE (captured_at);
CREATE TABLE monitoring_relation_day (LIKE monitoring_relation_raw INCLUDING ALL) PARTITION BY RANGE (captured_at);

CREATE TABLE monitoring_bloat_raw (
    target_id int NOT NULL,
    captured_at timestamptz NOT NULL,
    seqs int4[] NOT NULL,
    size_bytes int8[] NOT NULL,
    est_bloat_bytes int8[] NOT NULL,
    exact_seqs int4[] NOT NULL,
    exact_size_bytes int8[] NOT NULL,
    exact_bloat_bytes int8[] NOT NULL,
    PRIMARY KEY (target_id, captured_at)
) PARTITION BY RANGE (captured_at);
"""

REPLICATION = """
CREATE TABLE monitoring_replication_raw (
    target_id int NOT NULL,
    captured_at timestamptz NOT NULL,
    in_recovery boolean NOT NULL,
    replicas jsonb NOT NULL,
    slots jsonb NOT NULL,
    receiver jsonb,
    replay_delay_seconds real,
    archived_count int8,
    failed_count int8,
    last_archived_wal text,
    last_archived_at timestamptz,
    last_failed_wal text,
    last_failed_at timestamptz,
    PRIMARY KEY (target_id, captured_at)
) PARTITION BY RANGE (captured_at);
CREATE TABLE monitoring_replication_hour (LIKE monitoring_replication_raw INCLUDING ALL) PARTITION BY RANGE (captured_at);
"""

# Picking a few elements out of a big TOASTed array: a plain a[i] per element would detoast the whole
# array once per element; PL/pgSQL detoasts it once into a local variable.
FUNCTIONS = """
CREATE FUNCTION dbconsole_pick(a int8[], idx int4[]) RETURNS int8[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    v int8[] := a;
    r int8[] := '{}';
    i int4;
BEGIN
    FOREACH i IN ARRAY idx LOOP
        r := r || coalesce(v[i], 0);
    END LOOP;
    RETURN r;
END
$$;

CREATE FUNCTION dbconsole_pick_sparse(seqs int4[], a int8[], idx int4[]) RETURNS int8[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    s int4[] := seqs;
    v int8[] := a;
    r int8[] := '{}';
    i int4;
    p int4;
BEGIN
    FOREACH i IN ARRAY idx LOOP
        p := array_position(s, i);
        r := r || CASE WHEN p IS NULL THEN 0 ELSE coalesce(v[p], 0) END;
    END LOOP;
    RETURN r;
END
$$;
"""

TABLES = (
    ("monitoring_stmt_raw", "day"), ("monitoring_stmt_hour", "month"), ("monitoring_stmt_day", "month"),
    ("monitoring_activity_raw", "day"), ("monitoring_activity_hour", "month"),
    ("monitoring_database_raw", "day"), ("monitoring_database_hour", "month"), ("monitoring_database_day", "month"),
    ("monitoring_relation_raw", "day"), ("monitoring_relation_hour", "month"), ("monitoring_relation_day", "month"),
    ("monitoring_bloat_raw", "month"),
    ("monitoring_replication_raw", "day"), ("monitoring_replication_hour", "month"),
)

DROP = "\n".join(
    [f"DROP TABLE IF EXISTS {name} CASCADE;" for name, _ in TABLES]
    + ["DROP TABLE IF EXISTS monitoring_stmt_state;",
       "DROP FUNCTION IF EXISTS dbconsole_pick(int8[], int4[]);",
       "DROP FUNCTION IF EXISTS dbconsole_pick_sparse(int4[], int8[], int4[]);"]
)


def first_partitions(apps, schema_editor):
    """Partitions for today and the next days; a beat task keeps creating them ahead from now on."""
    now = dt.datetime.now(dt.UTC)
    with schema_editor.connection.cursor() as cur:
        for name, grain in TABLES:
            for offset in range(4):
                when = now + dt.timedelta(days=offset)
                if grain == "day":
                    start = when.replace(hour=0, minute=0, second=0, microsecond=0)
                    end = start + dt.timedelta(days=1)
                    part = f"{name}_p{start:%Y%m%d}"
                else:
                    start = when.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
                    end = (start + dt.timedelta(days=32)).replace(day=1)
                    part = f"{name}_p{start:%Y%m}"
                cur.execute(
                    f'CREATE TABLE IF NOT EXISTS "{part}" PARTITION OF "{name}" '
                    f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
                )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_history_models")]

    operations = [
        migrations.RunSQL(STATEMENTS + ACTIVITY + DATABASE + RELATIONS + REPLICATION + FUNCTIONS, DROP),
        migrations.RunPython(first_partitions, migrations.RunPython.noop),
    ]
