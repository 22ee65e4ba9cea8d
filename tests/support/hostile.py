"""Hostile names planted in a real target, as someone who can create tables or open connections would.

* ``LINK_APPLICATION`` — an ``application_name`` that plotly.js would render as a live link.
* ``FORMULA_SCHEMA`` — a schema name that a spreadsheet would run as a formula from a CSV export.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql

from tests.support.targets import TargetDb

LINK_APPLICATION = '<a href="https://evil.example/">x</a>'
FORMULA_SCHEMA = '=HYPERLINK("http://evil.example")'
FORMULA_TABLE = "@SUM(1+1)"


def plant_formula_schema(db: TargetDb, rows: int = 20_000) -> None:
    """A schema and a table named like formulas, big enough to be among the largest tables."""
    with db.connect() as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(FORMULA_SCHEMA)))
        table = sql.Identifier(FORMULA_SCHEMA, FORMULA_TABLE)
        conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (id int PRIMARY KEY, note text)").format(table))
        conn.execute(sql.SQL("INSERT INTO {} SELECT g, repeat('x', 200) FROM generate_series(1, %s) g "
                             "ON CONFLICT DO NOTHING").format(table), (rows,))
        conn.execute(sql.SQL("ANALYZE {}").format(table))
        # The monitoring role reads sizes and statistics of every relation through pg_monitor.
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO pg_monitor").format(sql.Identifier(FORMULA_SCHEMA)))


@contextlib.contextmanager
def link_session(db: TargetDb) -> Iterator[psycopg.Connection[Any]]:
    """An open, idle session whose application_name is an HTML link, while the block runs."""
    conn = psycopg.connect(db.cluster.conninfo(db.dbname), autocommit=True, application_name=LINK_APPLICATION)
    try:
        yield conn
    finally:
        conn.close()
