"""Plain-language "why this column order" for a recommended index, from the statements it serves."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from advisor.whatif.indexes import IndexSpec
from pgsql.workload.analyze import AnalyzedStatement
from pgsql.workload.patterns import ScanPattern

_ROLE_TEXT = {
    "equality": "compared with = (or IS NULL)",
    "in": "matched against an IN list",
    "range": "bounded by a range (<, >, BETWEEN, LIKE 'prefix%')",
    "join": "a join key",
    "order": "an ORDER BY key",
    "group": "a GROUP BY key",
    "read": "only read",
}
_ROLE_RANK = list(_ROLE_TEXT)


def column_role(scan: ScanPattern, col: str) -> str:
    """The most index-relevant way this table occurrence uses ``col``."""
    if col in scan.equality or (col, True) in scan.null_tests:
        return "equality"
    if col in scan.in_lists:
        return "in"
    if col in scan.ranges or col in scan.likes or (col, False) in scan.null_tests:
        return "range"
    if col in scan.joins:
        return "join"
    if any(col == c for c, _ in scan.order_by):
        return "order"
    if col in scan.group_by:
        return "group"
    return "read"


def _roles(spec: IndexSpec, statements: Iterable[AnalyzedStatement], col: str) -> Counter[str]:
    """For each role, in how many statements ``col`` plays it (its most index-relevant role in each)."""
    roles: Counter[str] = Counter()
    for stmt in statements:
        found = [column_role(scan, col) for scan in stmt.access.scans
                 if scan.table.oid == spec.table.oid and col in scan.needed_columns()]
        if found:
            roles[min(found, key=_ROLE_RANK.index)] += 1
    return roles


def _usage(roles: Counter[str]) -> str:
    parts = []
    for role in sorted(roles, key=_ROLE_RANK.index):
        count = roles[role]
        parts.append(f"{_ROLE_TEXT[role]} in {count} statement{'' if count == 1 else 's'}")
    return ", ".join(parts)


def _reason(role: str, position: int, after_exact: bool) -> str:
    if role in ("equality", "in"):
        if position == 0:
            return "a btree searches on its leading columns, so exact matches go first"
        return "another exact match, so the search narrows on every column before it too"
    if role == "range":
        if after_exact:
            return ("a range ends the columns a btree can search on, so it comes after the exact matches")
        return "the statements' search condition on this table"
    if role == "join":
        return "a nested loop can then look each row of the other table up in the index"
    if role in ("order", "group"):
        return "rows come out of the index in this order, so no sort is needed"
    return "kept in the index so the plan can answer from the index alone (index-only scan)"


def why_column_order(spec: IndexSpec, statements: Iterable[AnalyzedStatement]) -> str:
    """Explain each key column's place, in the order of the index."""
    statements = list(statements)
    parts: list[str] = []
    if spec.expression:
        parts.append(f"Indexes the expression ({spec.expression}) exactly as the statements compare it, "
                     "so the planner can match it.")
    after_exact = False
    for position, col in enumerate(spec.columns, start=1 if spec.expression else 0):
        roles = _roles(spec, statements, col)
        if not roles:
            parts.append(f"{col}: appended so the index holds what the statements read.")
            continue
        role = min(roles, key=_ROLE_RANK.index)
        place = "first" if position == 0 else "next"
        parts.append(f"{col} {place}: {_usage(roles)}; {_reason(role, position, after_exact)}.")
        after_exact = after_exact or role in ("equality", "in")
    if spec.include:
        parts.append(f"INCLUDE ({', '.join(spec.include)}): read by the statements, stored only in leaf "
                     "pages so an index-only scan needs no table visit.")
    if spec.where:
        parts.append(f"Partial (WHERE {spec.where}): every statement it serves has this condition, and "
                     "the other rows stay out of the index.")
    return " ".join(parts)
