"""``targets check``: what dbconsole can and cannot see on a target, each finding with a fix."""

from __future__ import annotations

from typing import Any

import psycopg

from monitoring.targets.connect import TargetError, classify, connect_params
from monitoring.targets.findings import ERROR, INFO, OK, WARN, CheckReport, Finding
from monitoring.targets.privileges import check_object_privileges, check_role_privileges
from pgsql.ident import quote_ident_to_print as ident

__all__ = ["ERROR", "INFO", "OK", "WARN", "CheckReport", "Finding", "check_params"]

MIN_SUPPORTED_MAJOR = 13
MAX_TESTED_MAJOR = 18


def check_params(params: dict[str, Any]) -> CheckReport:
    """Connect with ``params`` (read-only, guarded) and report every capability we rely on."""
    report = CheckReport()
    try:
        conn = connect_params(params)
    except TargetError as exc:
        report.add("connection", ERROR, f"{exc.status}: {exc.message}", exc.hint)
        return report
    with conn:
        try:
            _inspect(conn, params, report)
        except psycopg.Error as exc:
            err = classify(exc, params)
            report.add("inspection", ERROR, f"{err.status}: {err.message}", err.hint)
    return report


def _inspect(conn: psycopg.Connection[Any], params: dict[str, Any], report: CheckReport) -> None:
    row = conn.execute(
        """
        SELECT current_setting('server_version_num')::int,
               current_setting('server_version'),
               pg_is_in_recovery(),
               (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
               current_setting('track_io_timing'),
               current_user
        """
    ).fetchone()
    assert row is not None
    version_num, version, in_recovery, is_super, io_timing, current_user = row
    report.server_version_num = version_num
    major = version_num // 10000
    report.add("connection", OK, f"connected to PostgreSQL {version} as {ident(current_user)}")
    if major < MIN_SUPPORTED_MAJOR:
        report.add("version", ERROR, f"PostgreSQL {major} is older than {MIN_SUPPORTED_MAJOR}",
                   "upgrade the server; dbconsole supports PostgreSQL 13 to 18")
    elif major > MAX_TESTED_MAJOR:
        report.add("version", WARN, f"PostgreSQL {major} is newer than the versions we test (13-18)")
    if in_recovery:
        report.add("role", INFO, "this server is a standby (read-only replica)")

    role = current_user
    if is_super:
        report.add("privileges", WARN, f"{ident(role)} is a superuser",
                   "use a dedicated role with pg_monitor instead: CREATE ROLE dbconsole LOGIN PASSWORD '...'; "
                   "GRANT pg_monitor TO dbconsole; (README: Monitoring your own database)")
    else:
        check_role_privileges(conn, role, report)
        check_object_privileges(conn, role, report)

    _check_signal_privilege(conn, role, bool(is_super), report)
    _check_pg_stat_statements(conn, params, report)
    _check_extension(conn, report, "pgstattuple", "exact bloat figures (estimates are used without it)",
                     "CREATE EXTENSION pgstattuple;")
    _check_extension(conn, report, "hypopg", "index recommendations verified with hypothetical indexes",
                     f"install postgresql-{major}-hypopg on the server, then CREATE EXTENSION hypopg;")
    if io_timing != "on":
        report.add("track_io_timing", INFO, "off: block read/write times stay zero",
                   "ALTER SYSTEM SET track_io_timing = on; SELECT pg_reload_conf();")


def _check_signal_privilege(conn: psycopg.Connection[Any], role: str, is_super: bool, report: CheckReport) -> None:
    """Cancel/terminate on the activity and locks pages signal other sessions: that needs pg_signal_backend."""
    if is_super:
        return
    row = conn.execute("SELECT pg_has_role(current_user, 'pg_signal_backend', 'USAGE')").fetchone()
    if row and row[0]:
        report.add("pg_signal_backend", OK, f"{ident(role)} may cancel and terminate other sessions (not superusers')")
    else:
        report.add("pg_signal_backend", INFO,
                   f"{ident(role)} lacks pg_signal_backend: operators cannot cancel or terminate other users' "
                   "sessions from the activity and locks pages",
                   f"GRANT pg_signal_backend TO {ident(role)};")


def _check_pg_stat_statements(conn: psycopg.Connection[Any], params: dict[str, Any], report: CheckReport) -> None:
    created = conn.execute(
        "SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements'"
    ).fetchone()
    preload_row = conn.execute(
        "SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries'"
    ).fetchone()
    preload = preload_row[0] if preload_row else None
    if preload is not None and "pg_stat_statements" not in preload:
        report.add("pg_stat_statements", ERROR, "not in shared_preload_libraries",
                   "add it: shared_preload_libraries = 'pg_stat_statements' in postgresql.conf, then restart")
        return
    if not created:
        report.add("pg_stat_statements", ERROR,
                   f"preloaded, but the extension is not created in {params.get('dbname')}",
                   "CREATE EXTENSION pg_stat_statements;")
        return
    try:
        count_row = conn.execute("SELECT count(*) FROM pg_stat_statements(false)").fetchone()
    except psycopg.Error as exc:
        err = classify(exc, params)
        report.add("pg_stat_statements", ERROR, f"{err.status}: {err.message}", err.hint)
        return
    count = count_row[0] if count_row else 0
    report.add("pg_stat_statements", OK, f"version {created[0]}, {count} statements tracked")


def _check_extension(conn: psycopg.Connection[Any], report: CheckReport, name: str, gives: str, hint: str) -> None:
    row = conn.execute(
        "SELECT default_version, installed_version FROM pg_available_extensions WHERE name = %s", (name,)
    ).fetchone()
    if row is None:
        report.add(name, WARN, f"not available on this server; missing: {gives}", hint)
    elif row[1] is None:
        report.add(name, WARN, f"available ({row[0]}) but not created; missing: {gives}",
                   f"CREATE EXTENSION {name};")
    else:
        report.add(name, OK, f"version {row[1]}")
