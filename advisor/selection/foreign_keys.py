"""The lookups a foreign key makes the server run, as workload statements the engine can weigh.

Deleting a parent row (or changing its key) makes PostgreSQL find the child rows that reference it —
``SELECT 1 FROM ONLY child x WHERE fk = $1 FOR KEY SHARE OF x`` for NO ACTION and RESTRICT, the
matching DELETE or UPDATE for CASCADE, SET NULL and SET DEFAULT — once per parent row, inside the
parent's statement and holding its locks. pg_stat_statements never shows those lookups, so the engine
would never see what an index on the foreign key saves. :func:`fk_check_statement` writes one down as
the SELECT it is, called once for every parent row deleted in the window: then the foreign key's
index competes on net benefit like every other candidate, with that evidence and no other.

With ``pg_stat_statements.track = all`` the server's own lookups are recorded (``… FROM ONLY
"public"."child" x WHERE $1 OPERATOR(pg_catalog.=) "fk" …``, not top-level): then they are in the
workload already, with their real calls, and :func:`recorded_lookup` says so, so they are not counted
twice.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence

from pgsql.ident import quote_ident_if_needed
from pgsql.workload.statements import WorkloadStatement


def fk_queryid(constraint: str, schema: str, table: str) -> int:
    """A stable queryid of our own for a foreign key's check (negative: never a pg_stat_statements id)."""
    digest = hashlib.blake2b(f"fk:{schema}.{table}.{constraint}".encode(), digest_size=8).hexdigest()
    return -int(digest[:15], 16)


def fk_check_statement(*, constraint: str, schema: str, table: str, columns: Sequence[str], ref_table: str,
                       parent_rows: float, dbname: str | None = None) -> WorkloadStatement:
    """The lookup of child rows the server runs for each of ``parent_rows`` parent rows deleted."""
    conditions = " AND ".join(f"x.{quote_ident_if_needed(c)} = ${n}" for n, c in enumerate(columns, start=1))
    query = f"SELECT 1 FROM ONLY {quote_ident_if_needed(schema)}.{quote_ident_if_needed(table)} AS x WHERE {conditions}"
    calls = max(1, round(parent_rows))
    return WorkloadStatement(
        queryid=fk_queryid(constraint, schema, table), query=query, calls=calls, dbname=dbname, rows=0,
        origin=(f"foreign key {constraint}: the lookup of {table} rows the server runs for each {ref_table} row "
                f"deleted ({calls:,} in the window)"))


def recorded_lookup(statements: Iterable[WorkloadStatement], schema: str, table: str,
                    columns: Sequence[str]) -> bool:
    """True when the workload holds the server's own lookup of ``table`` by the foreign key's columns
    (recorded by pg_stat_statements with ``track = all``)."""
    target = re.compile(rf'\bONLY\s+"?{re.escape(schema)}"?\."?{re.escape(table)}"?\s')
    keys = [re.compile(rf'OPERATOR\(pg_catalog\.=\)\s+"?{re.escape(c)}"?(\W|$)') for c in columns]
    return any(target.search(s.query) and all(k.search(s.query) for k in keys) for s in statements)
