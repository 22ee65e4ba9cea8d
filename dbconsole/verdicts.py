"""The four states of every verdict — a health check, the overview headline, the fleet badge, an advisor
rule's outcome, an alert: ``ok``, ``warning``, ``critical`` and ``unknown``.

``unknown`` means *we cannot see*: a missing privilege or extension, a failing or stale collector, data
not collected yet. It is never shown as ok, it counts against the headline, and the verdict that says it
names the grant or setting that fixes it.

Ordered for a badge (the worst of several verdicts): ok < unknown < warning < critical. A blind spot
outranks ok — "ok" over something we cannot see would be a lie — but a known warning outranks a blind
spot, so a badge never hides a real problem behind "unknown".

Thresholds (``dbconsole.thresholds``) also grade ``info``, a level some advisor rules use; a verdict
has no such state: ``from_grade`` folds it into ``ok`` (the verdict keeps what it noticed as a note).
"""

from __future__ import annotations

from collections.abc import Iterable

from dbconsole.thresholds import CRITICAL, INFO, OK, UNKNOWN, WARNING

STATUSES = (OK, WARNING, CRITICAL, UNKNOWN)
ORDER = {OK: 0, UNKNOWN: 1, WARNING: 2, CRITICAL: 3}
# CSS classes of the badges (static/css): unknown is muted, never green.
LEVEL = {OK: "ok", UNKNOWN: "muted", WARNING: "warn", CRITICAL: "error"}
ATTENTION = (UNKNOWN, WARNING, CRITICAL)   # what the headline counts as "needs attention"


def from_grade(grade: str) -> str:
    """A threshold's grade as a verdict: ``info`` is below every bound a verdict acts on, so ``ok``."""
    return OK if grade == INFO else grade


def worst(statuses: Iterable[str], default: str = UNKNOWN) -> str:
    """The worst of several verdicts; ``default`` (unknown: nothing was judged) when there are none."""
    return max(statuses, key=ORDER.__getitem__, default=default)


def needs_attention(status: str) -> bool:
    return status in ATTENTION


def validate(status: str) -> str:
    if status not in ORDER:
        raise ValueError(f"{status!r} is not a verdict ({', '.join(STATUSES)})")
    return status
