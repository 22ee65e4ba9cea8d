"""What a health check says: a four-state verdict (``dbconsole.verdicts``) with the value it graded, the
threshold bound that applied, one line, the fix, and the details behind it.

``Check`` is what the overview, the fleet page, the API and the alert rules read. Its field names are
stable: ``key``, ``title``, ``status`` (ok | warning | critical | unknown), ``value``, ``threshold``,
``summary``, ``fix`` — then ``note``, ``details``, ``page`` and ``as_of``. ``as_dict()`` is its JSON form.

Two rules hold for every check, enforced when one is made: ``fix`` is empty when the status is ok (there
is nothing to do), and an unknown check always says what would let us see (the grant, the setting, the
collector to start) — an unknown without a way out is a bug.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from dbconsole import verdicts
from dbconsole.thresholds import CRITICAL, OK, UNKNOWN, WARNING, Thresholds


@dataclass(frozen=True)
class Bound:
    """The threshold bound a check's value was compared with: for a critical check its critical bound,
    otherwise the warning bound (the one an ok value stays clear of)."""

    key: str             # the threshold's key in ``dbconsole.thresholds``
    level: str           # warning | critical: the level this bound starts
    value: float
    unit: str
    below: bool = False  # reached by falling under it (a cache hit ratio)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        return f"{self.level} {'below' if self.below else 'from'} {self.value:g} {self.unit}"


def bound_of(limits: Thresholds, key: str, status: str) -> Bound:
    threshold = limits[key]
    level = CRITICAL if status == CRITICAL or threshold.warning is None else WARNING
    value = threshold.bound(level)
    assert value is not None, f"threshold {key} has neither a warning nor a critical bound"
    return Bound(key=key, level=level, value=value, unit=threshold.unit, below=threshold.below)


@dataclass(frozen=True)
class Detail:
    """One item behind a check: a sequence, a replica, a collector — with its own status and fix."""

    label: str
    text: str
    fix: str = ""
    status: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    status: str                          # ok | warning | critical | unknown
    summary: str
    value: float | None = None           # what was graded, in the threshold's unit
    threshold: Bound | None = None       # the bound that applied (None: the check has no threshold)
    fix: str = ""                        # the grant, setting or action; empty when ok
    note: str = ""                       # context worth reading whatever the status
    details: tuple[Detail, ...] = ()
    page: str = ""                       # url name of the page that explains it
    as_of: dt.datetime | None = None     # when the data was collected (None: read just now)

    def __post_init__(self) -> None:
        verdicts.validate(self.status)
        if self.status == OK and self.fix:
            raise ValueError(f"check {self.key}: an ok check has nothing to fix ({self.fix!r})")
        if self.status == UNKNOWN and not self.fix:
            raise ValueError(f"check {self.key}: unknown must say what would let us see")

    @property
    def level(self) -> str:
        return verdicts.LEVEL[self.status]

    @property
    def rank(self) -> int:
        return verdicts.ORDER[self.status]

    @property
    def needs_attention(self) -> bool:
        return verdicts.needs_attention(self.status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "title": self.title, "status": self.status, "value": self.value,
            "threshold": self.threshold.as_dict() if self.threshold else None, "summary": self.summary,
            "fix": self.fix, "note": self.note, "details": [d.as_dict() for d in self.details],
            "page": self.page, "as_of": self.as_of.isoformat() if self.as_of else None,
        }


def worst(checks: Iterable[Check]) -> str:
    """The worst status of the checks (unknown when there is none: nothing was judged)."""
    return verdicts.worst(c.status for c in checks)


def by_status(checks: Iterable[Check]) -> list[Check]:
    """Worst first; checks of equal status keep their order."""
    return sorted(checks, key=lambda c: -c.rank)


def summary_of(checks: list[Check]) -> dict[str, Any]:
    """Counts per status and the worst, for a compact line ("1 critical · 2 unknown · 8 ok"), and the
    checks that need attention (unknown included: what we cannot see is not fine)."""
    counts = {s: sum(1 for c in checks if c.status == s) for s in (CRITICAL, WARNING, UNKNOWN, OK)}
    return {"worst": worst(checks), "counts": counts,
            "line": " · ".join(f"{n} {s}" for s, n in counts.items() if n),
            "problems": [c for c in checks if c.needs_attention]}


def plural(count: int, word: str, many: str = "") -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"
