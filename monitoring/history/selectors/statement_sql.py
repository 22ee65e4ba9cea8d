"""SQL text of the statement selectors that depends on which counters a query needs.

The templates live in ``history/sql/statements/`` like every other query; what is built here is only
the repetitive per-counter lists they leave as ``{placeholders}`` (four prefix rows times N counters), so
a query reads the counters it needs and no others — for arrays of 5,000 statements, every counter
read is a detoasted, decompressed array.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from monitoring.history import SQL

# The counters ``StatementTotals`` carries, in the order of its fields (and of the queries' columns).
TOTAL_COUNTERS = (
    "calls", "plans", "plan_us", "exec_us", "rows", "shared_blks_hit", "shared_blks_read", "shared_blks_dirtied",
    "shared_blks_written", "temp_blks_read", "temp_blks_written", "shared_read_us", "shared_write_us",
    "local_read_us", "temp_read_us", "temp_write_us", "wal_bytes",
)
# The four prefix rows: end day, end hour, start day, start hour (see totals.sql).
PREFIX = ("ed", "eh", "sd", "sh")
SEP = ",\n        "


def _counters_of(expression: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"\bx\.(\w+)", expression)))


def _difference(counter: str, value: str) -> str:
    """end day + end hour - start day - start hour (+ tail) for one counter; ``value`` formats an
    alias into the expression reading that row's value."""
    ed, eh, sd, sh = (value.format(a=a, c=counter) for a in PREFIX)
    return (f"coalesce({ed}, 0) + coalesce({eh}, 0) - coalesce({sd}, 0) - coalesce({sh}, 0) "
            f"+ coalesce(t.{counter}, 0) AS {counter}")


def _tail(counters: Sequence[str]) -> dict[str, str]:
    return {"sums": SEP.join(f"sum(u.{c})::int8 AS {c}" for c in counters),
            "arrays": ", ".join(f"r.{c}" for c in counters), "names": ", ".join(counters)}


@cache
def page_sql(order_expression: str) -> str:
    """``totals_page.sql`` for one sort: the ranking pass reads calls, plans and the sort's counters."""
    rank = list(dict.fromkeys(["calls", "plans", *_counters_of(order_expression)]))
    rank_tail, page_tail = _tail(rank), _tail(TOTAL_COUNTERS)
    fills = {
        "rank_point": SEP.join(f"unnest({a}.{c}) AS {a}_{c}" for c in rank for a in PREFIX),
        "rank_tail_sums": rank_tail["sums"], "rank_tail_arrays": rank_tail["arrays"],
        "rank_tail_names": rank_tail["names"],
        "rank_totals": SEP.join(_difference(c, "p.{a}_{c}") for c in rank),
        "rank_columns": SEP.join(f"e.{c}" for c in rank),
        "rank_group_sums": SEP.join(f"sum(r.{c})::int8 AS {c}" for c in rank),
        "picks": SEP.join(f"unnest(dbconsole_pick({a}.{c}, g.seqs)) AS {a}_{c}"
                          for c in TOTAL_COUNTERS for a in PREFIX),
        "page_tail_sums": page_tail["sums"], "page_tail_arrays": page_tail["arrays"],
        "page_tail_names": page_tail["names"],
        "page_totals": SEP.join(_difference(c, "p.{a}_{c}") for c in TOTAL_COUNTERS),
        "page_group_sums": SEP.join(f"sum(e.{c})::int8 AS {c}" for c in TOTAL_COUNTERS),
        "page_sums": SEP.join(f"g.{c}" for c in TOTAL_COUNTERS),
        "order": order_expression,
    }
    return _fill(SQL.load("statements/totals_page"), fills)


@cache
def one_sql() -> str:
    """``totals_one.sql``: every counter of one statement, read at its index in each prefix row."""
    fills = {
        "one_totals": SEP.join(_difference(c, "{a}.{c}[%(seq)s]") for c in TOTAL_COUNTERS),
        "tail_sums": SEP.join(f"sum(r.{c}[at.i])::int8 AS {c}" for c in TOTAL_COUNTERS),
    }
    return _fill(SQL.load("statements/totals_one"), fills)


def _fill(template: str, fills: dict[str, str]) -> str:
    # Placeholders only in the SQL, not in its comments: those mention them by name.
    head, sep, body = template.partition("\nWITH ")
    for key, value in fills.items():
        body = body.replace("{" + key + "}", value)
    return head + sep + body
