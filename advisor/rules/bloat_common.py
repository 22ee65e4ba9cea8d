"""What counts as bloat worth acting on, shared by the table and index bloat rules.

Graded by ``dbconsole.thresholds.grade_bloat``: either proportionally large on a table of any size (by
default at least half the relation and 1 MB), or large in absolute terms (at least 64 MB and 30 %);
a warning from 1 GB, or from 100 MB that is 80 % of the relation. Exact figures (pgstattuple, when the
collector could measure the relation) win over estimates, which come from catalog statistics and can
be off on tables with wide variable-length columns or no recent ANALYZE.
"""

from __future__ import annotations

from advisor.rules.facts import BloatInfo
from dbconsole.thresholds import INFO, WARNING, Thresholds, grade_bloat


def worth_it(bloat: BloatInfo, thresholds: Thresholds) -> bool:
    return grade_bloat(bloat.bloat_bytes, bloat.ratio, thresholds) in (INFO, WARNING)


def severity(bloat: BloatInfo, thresholds: Thresholds) -> str:
    return WARNING if grade_bloat(bloat.bloat_bytes or 0, bloat.ratio or 0.0, thresholds) == WARNING else INFO
