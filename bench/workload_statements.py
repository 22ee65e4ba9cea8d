"""The benchmarks' workload target: ~300 tables with 3 indexes each and 5,000 distinct statements.

Statements differ in shape (select list, predicates, ordering, grouping), not in constants — constants
are normalised away by pg_stat_statements — so 5,000 SQL strings make 5,000 entries.
"""

from __future__ import annotations

import random
from itertools import combinations

import psycopg

COLUMNS = ("a", "b", "c", "d", "e")
SELECT_LISTS = [", ".join(c) for n in (1, 2, 3) for c in combinations(COLUMNS, n)]  # 25 shapes


def build_schema(conninfo: str, tables: int = 300, rows: int = 500) -> None:
    """``tables`` tables ``w_i`` (primary key + two secondary indexes), analysed."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for i in range(tables):
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS w_{i} (id serial PRIMARY KEY, a int, b int, c int, d text, "
                "e timestamptz DEFAULT now())"
            )
            conn.execute(f"CREATE INDEX IF NOT EXISTS w_{i}_a ON w_{i} (a)")
            conn.execute(f"CREATE INDEX IF NOT EXISTS w_{i}_bc ON w_{i} (b, c)")
            conn.execute(
                f"INSERT INTO w_{i} (a, b, c, d) SELECT g % 97, g % 13, g, md5(g::text) "
                f"FROM generate_series(1, {rows}) g WHERE NOT EXISTS (SELECT 1 FROM w_{i})"
            )
        conn.execute("ANALYZE")


def statements(tables: int = 300, count: int = 5000) -> list[str]:
    """``count`` SQL strings, each a distinct pg_stat_statements entry."""
    out: list[str] = []
    shapes = [
        "SELECT {cols} FROM w_{t} WHERE a = 5",
        "SELECT {cols} FROM w_{t} WHERE b = 3 AND c > 10",
    ]
    for shape in shapes:   # tables innermost: the statements spread over every table
        for cols in SELECT_LISTS:
            for t in range(tables):
                out.append(shape.format(cols=cols, t=t))
                if len(out) >= count:
                    return out
    i = 0
    while len(out) < count:   # more tables than shapes: extend with aggregates
        out.append(f"SELECT count(*), max(c) FROM w_{i % tables} WHERE a < {i} GROUP BY b HAVING count(*) > {i % 7}")
        i += 1
    return out


def run(conninfo: str, sqls: list[str], repeat: int = 1) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for _ in range(repeat):
            for sql in sqls:
                conn.execute(sql)


def run_varied(conninfo: str, sqls: list[str], rng: random.Random, most: int = 4) -> None:
    """Each statement 1 to ``most`` times: deltas differ from statement to statement and cycle to cycle,
    as in a real workload (identical deltas would compress unrealistically well)."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for sql in sqls:
            for _ in range(rng.randint(1, most)):
                conn.execute(sql)


def entries(conninfo: str) -> int:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_statements WHERE dbid = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchone()
    return int(row[0]) if row else 0
