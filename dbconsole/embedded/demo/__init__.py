"""The demo target: an app-like database with planted problems and a workload that keeps it busy.

``make run`` sets it up on first start (``setup``) and runs ``python -m dbconsole.embedded.demo`` in the
background, so every page has real data within two minutes.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from psycopg import sql

from dbconsole.embedded import home
from dbconsole.embedded.pgcluster import PgCluster

APP_ROLE = "demo_app"
MONITOR_ROLE = "dbconsole_monitor"
SCHEMA_SQL = Path(__file__).resolve().parent / "schema.sql"


def app_conninfo(cluster: PgCluster) -> str:
    return cluster.conninfo(home.DEMO_DB, user=APP_ROLE, password=home.secret_file("demo-app-password"))


def monitor_dsn(cluster: PgCluster) -> str:
    password = home.secret_file("demo-monitor-password")
    return f"postgresql://{MONITOR_ROLE}:{password}@127.0.0.1:{cluster.port}/{home.DEMO_DB}?sslmode=disable"


def setup(cluster: PgCluster) -> bool:
    """Create the roles, extensions and planted schema once; returns True when it did the work.

    The monitoring role gets exactly what docs/README recommend for any target: ``pg_monitor``, plus
    ``pg_signal_backend`` so operators can cancel and terminate demo backends from the UI.
    """
    with psycopg.connect(cluster.conninfo(home.DEMO_DB), autocommit=True) as conn:
        for role, secret, grants in (
            (APP_ROLE, "demo-app-password", ()),
            (MONITOR_ROLE, "demo-monitor-password", ("pg_monitor", "pg_signal_backend")),
        ):
            password = home.secret_file(secret)
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
            verb = "ALTER" if exists else "CREATE"
            conn.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)))
            for granted in grants:
                conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(granted), sql.Identifier(role)))
        conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
            sql.Identifier(home.DEMO_DB), sql.Identifier(APP_ROLE)))
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        if conn.execute("SELECT to_regclass('public.orders')").fetchone() != (None,):
            return False
        conn.execute(sql.SQL("GRANT CREATE ON SCHEMA public TO {}").format(sql.Identifier(APP_ROLE)))
    with psycopg.connect(app_conninfo(cluster)) as conn:
        conn.execute(SCHEMA_SQL.read_text())
    return True
