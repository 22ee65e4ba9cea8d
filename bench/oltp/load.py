"""P6's data: the helpdesk schema filled with skewed data on a PostgreSQL 15 cluster we keep.

The database uses an ICU collation (``en-US``), as most production databases use a linguistic one:
under it a plain btree cannot serve ``LIKE 'prefix%'``. Skew is what applications have: a few big
organizations own most users and tickets (``random()^k`` over ids), recent tickets get most comments,
most tickets are closed, a tenth of the users are deleted. ``SCALE = 1`` is about 1.3 GB; the data is
generated with ``setseed`` so a scale always holds the same rows.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from bench.common import STATE_DIR, say
from dbconsole.embedded.pgcluster import DEBIAN_PG15_BINDIR, PgCluster

HERE = Path(__file__).resolve().parent
DBNAME = "helpdesk"
ADVISOR_ROLE = "bench_advisor"
SETTINGS = {
    "shared_buffers": "'512MB'",
    "work_mem": "'16MB'",
    "max_parallel_workers_per_gather": "0",
    "max_wal_size": "'4GB'",
    "autovacuum": "off",  # the benchmark VACUUMs itself: statistics must not move between the runs it compares
}
# Rows per table at scale 1.
ROWS = {
    "organizations": 20_000, "users": 400_000, "projects": 80_000, "tickets": 2_000_000,
    "comments": 4_000_000, "attachments": 300_000, "tags": 20_000, "ticket_tags": 3_000_000,
    "sessions": 600_000, "events": 3_000_000, "jobs": 100_000,
}

DATA = """
SELECT setseed(0.14);
INSERT INTO organizations (name, plan, created_at)
SELECT 'Org ' || g, (ARRAY['free', 'team', 'business', 'enterprise'])[1 + floor(power(random(), 2) * 4)::int],
       timestamptz '2022-01-01' + random() * interval '900 days'
FROM generate_series(1, {organizations}) AS g;
INSERT INTO users (org_id, email, name, role, password_hash, last_seen_at, deleted_at, created_at)
SELECT 1 + floor({organizations} * power(random(), 3))::bigint, 'User' || g || '@Example.com', 'User ' || g,
       CASE WHEN g <= {users} / 20 THEN 'agent' ELSE 'member' END, md5(g::text),
       now() - random() * interval '30 days', CASE WHEN random() < 0.1 THEN now() - random() * interval '300 days' END,
       timestamptz '2022-01-01' + (g::float8 / {users}) * interval '900 days'
FROM generate_series(1, {users}) AS g;
INSERT INTO projects (org_id, name, archived_at, created_at)
SELECT 1 + floor({organizations} * power(random(), 3))::bigint, 'Project ' || g,
       CASE WHEN random() < 0.3 THEN now() - random() * interval '200 days' END,
       timestamptz '2022-01-01' + random() * interval '900 days'
FROM generate_series(1, {projects}) AS g;
INSERT INTO tickets (org_id, project_id, reporter_id, assignee_id, ref, external_id, status, priority, subject,
                     created_at, updated_at, closed_at)
SELECT p.org_id, p.id, 1 + floor({users} * random())::bigint,
       CASE WHEN random() < 0.7 THEN 1 + floor({users} / 20 * power(random(), 2))::bigint END,
       'T-' || lpad(s.g::text, 8, '0'), CASE WHEN random() < 0.3 THEN 'ext-' || md5(s.g::text) END,
       CASE WHEN s.r < 0.75 THEN 'closed' WHEN s.r < 0.9 THEN 'open' ELSE 'pending' END,
       1 + floor(power(random(), 2) * 4)::int, 'Subject ' || left(md5(s.g::text || 's'), 24), s.created,
       s.created + random() * interval '20 days',
       CASE WHEN s.r < 0.75 THEN s.created + random() * interval '20 days' END
FROM (
    SELECT g, random() AS r, 1 + floor({projects} * power(random(), 2))::bigint AS pid,
           timestamptz '2024-01-01' + (g::float8 / {tickets}) * interval '730 days' AS created
    FROM generate_series(1, {tickets}) AS g
) AS s
JOIN projects AS p ON p.id = s.pid
ORDER BY s.g;
INSERT INTO comments (ticket_id, author_id, body, created_at)
SELECT s.t, 1 + floor({users} * power(random(), 2))::bigint, md5(s.g::text) || ' ' || md5((s.g + 1)::text),
       timestamptz '2024-01-01' + (s.t::float8 / {tickets}) * interval '730 days' + random() * interval '5 days'
FROM (
    SELECT g, {tickets} - floor({tickets} * power(random(), 2))::bigint AS t
    FROM generate_series(1, {comments}) AS g
) AS s
ORDER BY s.t;
INSERT INTO attachments (ticket_id, name, bytes, created_at)
SELECT 1 + floor({tickets} * random())::bigint, 'file-' || g || '.pdf', (random() * 5e6)::int,
       now() - random() * interval '700 days'
FROM generate_series(1, {attachments}) AS g;
INSERT INTO tags (org_id, name)
SELECT 1 + floor({organizations} * power(random(), 3))::bigint, 'tag-' || g
FROM generate_series(1, {tags}) AS g;
INSERT INTO ticket_tags (ticket_id, tag_id)
SELECT 1 + (g % {tickets}), 1 + floor({tags} * power(random(), 2))::int
FROM generate_series(1, {ticket_tags}) AS g
ON CONFLICT DO NOTHING;
INSERT INTO sessions (user_id, token, created_at, expires_at)
SELECT 1 + floor({users} * power(random(), 2))::bigint, md5(g::text || 'token'),
       now() - random() * interval '14 days', now() + random() * interval '14 days'
FROM generate_series(1, {sessions}) AS g;
INSERT INTO events (org_id, user_id, kind, payload, created_at)
SELECT 1 + floor({organizations} * power(random(), 3))::bigint, 1 + floor({users} * random())::bigint,
       'kind-' || (g % 20), md5(g::text), now() - ({events} - g) * interval '1 second'
FROM generate_series(1, {events}) AS g;
INSERT INTO jobs (queue, run_at, payload)
SELECT (ARRAY['default', 'default', 'default', 'mail', 'webhooks', 'reports'])[1 + floor(random() * 6)::int],
       now() + (random() - 0.9) * interval '10 hours', md5(g::text)
FROM generate_series(1, {jobs}) AS g;
"""
IDENTITIES = ("organizations", "users", "projects", "tickets", "comments", "attachments", "tags", "sessions",
              "events", "jobs")


@dataclass(frozen=True)
class OltpState:
    """Where the cluster and its markers live for one scale."""

    scale: float = 1.0

    @property
    def root(self) -> Path:
        return STATE_DIR / f"helpdesk-s{self.scale:g}"

    @property
    def cluster(self) -> PgCluster:
        return PgCluster(bindir=DEBIAN_PG15_BINDIR, datadir=self.root / "pg15", conf=SETTINGS)

    @property
    def advisor_password_file(self) -> Path:
        return self.root / "advisor.password"

    def rows(self) -> dict[str, int]:
        return {table: max(1, int(count * self.scale)) for table, count in ROWS.items()}


def ensure_cluster(state: OltpState) -> PgCluster:
    cluster = state.cluster
    cluster.init(fast=True)
    return cluster


def load(state: OltpState, cluster: PgCluster) -> None:
    """Create the ICU database, the schema and the data, once per scale (a marker says it is done)."""
    marker = state.root / "loaded"
    if marker.exists():
        return
    started = time.monotonic()
    with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DBNAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DBNAME} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'")
    with psycopg.connect(cluster.conninfo(DBNAME), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
        conn.execute((HERE / "schema.sql").read_text())
        say(f"generating the helpdesk at scale {state.scale:g}: {state.rows()}")
        with conn.transaction():
            for statement in DATA.format(**state.rows()).split(";\n"):
                if statement.strip():
                    conn.execute(statement)
        for table in IDENTITIES:
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")
        say("VACUUM ANALYZE")
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")
    marker.write_text("ok\n")
    say(f"loaded the helpdesk in {time.monotonic() - started:.0f} s")


def ensure_advisor_role(state: OltpState, cluster: PgCluster) -> str:
    """The role the advisor connects as, as the README tells users to set one up: pg_monitor and read
    access, nothing more. Returns its password."""
    if not state.advisor_password_file.exists():
        state.advisor_password_file.write_text(secrets.token_urlsafe(18) + "\n")
        state.advisor_password_file.chmod(0o600)
    password = state.advisor_password_file.read_text().strip()
    with psycopg.connect(cluster.conninfo(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ADVISOR_ROLE,)).fetchone()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(f"{verb} ROLE {ADVISOR_ROLE} LOGIN PASSWORD '{password}'")
        conn.execute(f"GRANT pg_monitor, pg_read_all_data TO {ADVISOR_ROLE}")
    return password


def table_sizes(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT sum(pg_total_relation_size(oid)) FROM pg_class WHERE relkind = 'r' "
                       "AND relnamespace = 'public'::regnamespace").fetchone()
    return int(row[0] or 0) if row else 0
