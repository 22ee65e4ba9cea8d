"""The demo target: an app-like database with planted problems and a workload that keeps it busy.

``make run`` sets it up on first start (``setup``) on the server ``server.demo_server`` picks, and
runs ``python -m dbconsole.embedded.demo`` in the background, so every page has real data within two
minutes.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from psycopg import sql

from dbconsole.embedded import home
from dbconsole.embedded.pgcluster import PgCluster

DEMO_DB = "demo"
APP_ROLE = "demo_app"
MONITOR_ROLE = "dbconsole_monitor"
SCHEMA_SQL = Path(__file__).resolve().parent / "schema.sql"

# What README's "Monitoring your own database" asks of a monitoring role, given to the demo's, so the
# demo shows every feature and the role is still no superuser and cannot write a row:
#   pg_monitor         — every session's query text and wait events, pg_stat_statements of all users,
#                        every setting, pgstattuple's exact bloat (pg_read_all_stats,
#                        pg_read_all_settings, pg_stat_scan_tables);
#   pg_signal_backend  — operators cancel/terminate demo backends from the activity and locks pages;
#   SELECT on tables   — EXPLAIN plans a statement only for a role that may read its tables (so do the
#                        advisor's what-if plans), and pg_stats hides the statistics of columns the role
#                        may not read, which leaves the bloat estimate blind;
#   SELECT on sequences — reading a sequence's last value (how close it is to overflow). SELECT, not
#                        USAGE: USAGE also allows nextval(), which consumes values.
# Per schema rather than pg_read_all_data: the grant names what it opens, also works before PG 14, and
# does not reach into every other database of the cluster. Default privileges cover tables the
# application creates later.
ROLE_GRANTS = ("pg_monitor", "pg_signal_backend")
OBJECT_GRANTS = (
    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {monitor}",
    "GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO {monitor}",
    "ALTER DEFAULT PRIVILEGES FOR ROLE {app} IN SCHEMA public GRANT SELECT ON TABLES TO {monitor}",
    "ALTER DEFAULT PRIVILEGES FOR ROLE {app} IN SCHEMA public GRANT SELECT ON SEQUENCES TO {monitor}",
)


def app_conninfo(cluster: PgCluster) -> str:
    return cluster.conninfo(DEMO_DB, user=APP_ROLE, password=home.secret_file("demo-app-password"))


def monitor_dsn(cluster: PgCluster) -> str:
    password = home.secret_file("demo-monitor-password")
    return f"postgresql://{MONITOR_ROLE}:{password}@127.0.0.1:{cluster.port}/{DEMO_DB}?sslmode=disable"


def setup(cluster: PgCluster, *, hypopg: bool = False) -> bool:
    """Create the database, roles, extensions and planted schema once; returns True when it loaded the
    schema. The monitoring role's grants are (re)applied on every call, so a demo made by an older
    version gets them too.
    """
    cluster.ensure_database(DEMO_DB)
    with psycopg.connect(cluster.conninfo(DEMO_DB), autocommit=True) as conn:
        for role, secret, grants in (
            (APP_ROLE, "demo-app-password", ()),
            (MONITOR_ROLE, "demo-monitor-password", ROLE_GRANTS),
        ):
            password = home.secret_file(secret)
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(sql.SQL(verb + " ROLE {} LOGIN NOSUPERUSER PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)))
            for granted in grants:
                conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(granted), sql.Identifier(role)))
        conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
            sql.Identifier(DEMO_DB), sql.Identifier(APP_ROLE)))
        for extension in ("pg_stat_statements", "pgstattuple", *(("hypopg",) if hypopg else ())):
            conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(extension)))
        loaded = conn.execute("SELECT to_regclass('public.orders')").fetchone() != (None,)
        if not loaded:
            conn.execute(sql.SQL("GRANT CREATE ON SCHEMA public TO {}").format(sql.Identifier(APP_ROLE)))
    if not loaded:
        with psycopg.connect(app_conninfo(cluster)) as conn:
            conn.execute(SCHEMA_SQL.read_text())
    with psycopg.connect(cluster.conninfo(DEMO_DB), autocommit=True) as conn:
        for grant in OBJECT_GRANTS:
            conn.execute(sql.SQL(grant).format(app=sql.Identifier(APP_ROLE), monitor=sql.Identifier(MONITOR_ROLE)))
    return not loaded
