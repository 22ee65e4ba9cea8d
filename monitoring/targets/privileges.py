"""The privileges dbconsole's features need, which of them the monitoring role lacks, and for each the
exact statement that grants it (README, "Monitoring your own database", explains every one).

Role and schema names come from the monitored server: they are quoted as SQL identifiers, and any
character that could drive a terminal is written as a ``U&"…"`` escape, so the statement printed is
both harmless to print and exactly the one to run.
"""

from __future__ import annotations

from typing import Any

import psycopg

from monitoring.targets.findings import OK, WARN, CheckReport
from pgsql.ident import quote_ident_to_print as ident
from pgsql.sqlfiles import SqlDir

SQL = SqlDir(__file__)
NAMES_SHOWN = 5

# pg_monitor's members, what each one gives, and what is missing without it.
MONITOR_MEMBERS = (
    ("pg_read_all_stats",
     "other users' query texts, client addresses and wait events show as <insufficient privilege>, and "
     "pg_stat_statements hides the text of their statements"),
    ("pg_read_all_settings",
     "settings reserved to superusers (file locations, archive and SSL settings) stay hidden on the Settings page"),
    ("pg_stat_scan_tables", "pgstattuple's exact bloat figures cannot be read (estimates only)"),
)
def check_role_privileges(conn: psycopg.Connection[Any], role: str, report: CheckReport) -> None:
    """pg_monitor, or each of its members that is missing with its own GRANT."""
    row = conn.execute(
        "SELECT pg_has_role(current_user, 'pg_monitor', 'USAGE'), "
        + ", ".join(f"pg_has_role(current_user, '{member}', 'USAGE')" for member, _ in MONITOR_MEMBERS)
    ).fetchone()
    assert row is not None
    who = ident(role)
    if row[0]:
        report.add("privileges", OK, f"{who} has pg_monitor")
        return
    report.add("privileges", WARN,
               f"{who} lacks pg_monitor, which holds each of the roles below: one GRANT gives them all",
               f"GRANT pg_monitor TO {who};")
    for (member, without), has in zip(MONITOR_MEMBERS, row[1:], strict=True):
        if not has:
            report.add(member, WARN, f"{who} lacks it: {without}", f"GRANT {member} TO {who};")


def check_object_privileges(conn: psycopg.Connection[Any], role: str, report: CheckReport) -> None:
    """USAGE on each application schema, SELECT on its tables and sequences."""
    rows = conn.execute(SQL.load("privileges")).fetchall()
    who = ident(role)
    missing = 0
    for schema, usage, tables, no_tables, table_owners, sequences, no_sequences, sequence_owners in rows:
        where = ident(schema)
        if not usage:
            missing += 1
            report.add(f"schema {where}", WARN,
                       f"{who} may not use schema {where}: its {tables} table(s) and {sequences} sequence(s) "
                       "stay invisible", f"GRANT USAGE ON SCHEMA {where} TO {who};")
        if no_tables:
            missing += 1
            later = _later(table_owners, where, "TABLES", who)
            report.add(f"tables in {where}", WARN,
                       f"{who} may not read {len(no_tables)} of {tables} table(s) ({_names(no_tables)}): EXPLAIN "
                       "of statements on them fails, their bloat is not estimated (pg_stats hides their columns) "
                       "and the index advisor cannot plan them",
                       f"GRANT SELECT ON ALL TABLES IN SCHEMA {where} TO {who};{later}")
        if no_sequences:
            missing += 1
            report.add(f"sequences in {where}", WARN,
                       f"{who} may not read {len(no_sequences)} of {sequences} sequence(s) "
                       f"({_names(no_sequences)}): how close they are to overflow is unknown",
                       f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who};"
                       + _later(sequence_owners, where, "SEQUENCES", who))
    if not missing:
        total_tables = sum(r[2] for r in rows)
        total_sequences = sum(r[5] for r in rows)
        report.add("object privileges", OK,
                   f"{who} reads every table ({total_tables}) and sequence ({total_sequences}) "
                   f"in {len(rows)} schema(s)")


def _later(owners: list[str], schema: str, kind: str, who: str) -> str:
    """Default privileges, so that what these owners create later is readable too."""
    return "".join(f" ALTER DEFAULT PRIVILEGES FOR ROLE {ident(owner)} IN SCHEMA {schema} "
                   f"GRANT SELECT ON {kind} TO {who};" for owner in owners)


def _names(names: list[str]) -> str:
    shown = ", ".join(ident(n) for n in names[:NAMES_SHOWN])
    return shown + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")
