"""What counts as bloat worth acting on, shared by the table and index bloat rules.

Either proportionally large on a table of any size (at least half the relation and 1 MB), or large
in absolute terms (at least 64 MB and 30 %). Exact figures (pgstattuple, when the collector could
measure the relation) win over estimates, which come from catalog statistics and can be off on tables
with wide variable-length columns or no recent ANALYZE.
"""

from __future__ import annotations

from advisor.rules.history import BloatInfo

MB = 1024 * 1024
GB = 1024 * MB


def worth_it(bloat: BloatInfo) -> bool:
    wasted, ratio = bloat.bloat_bytes, bloat.ratio
    if wasted is None or ratio is None:
        return False
    return (wasted >= 1 * MB and ratio >= 0.5) or (wasted >= 64 * MB and ratio >= 0.3)


def severity(bloat: BloatInfo) -> str:
    wasted, ratio = bloat.bloat_bytes or 0, bloat.ratio or 0.0
    return "warning" if wasted >= GB or (wasted >= 100 * MB and ratio >= 0.8) else "info"
