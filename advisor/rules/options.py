"""How an advisor run is tuned: the history window, the index advice's profile and optional caps, the
engine's time limit.

Defaults come from settings, set through the environment (see ``.env.example``):
``ADVISOR_WINDOW_DAYS`` (7), ``ADVISOR_PROFILE`` (balanced — the exchange rates of the net-benefit
objective, ``advisor.selection.costs``), ``ADVISOR_BUDGET_SHARE`` (0: no budget — else a share of the
database size, ``DBCONSOLE_ADVISOR_BUDGET_PERCENT``), ``ADVISOR_MIN_BUDGET_MB`` (16, the smallest
budget a share gives), ``ADVISOR_MAX_INDEXES_PER_TABLE`` (0: no maximum),
``ADVISOR_ENGINE_TIME_LIMIT_S`` (60).

Sizes are in bytes; "MB" is always 10^6 bytes, and a budget is checked against the engine's btree
size estimate (``advisor.selection``: ``size_measure="estimate"``).
``min_observation_days`` overrides how long indexes are watched before one may be called unused
(otherwise the target's machine facts, else ``ADVISOR_MIN_OBSERVATION_DAYS``, 14).

A run with options other than the defaults (``advise --budget-mb``, ``--profile``, ``--rule``) is not
comparable with the scheduled runs for the rules those options affect: it never resolves or reopens
what they found (see ``Rule.option_fields`` and :mod:`advisor.review.lifecycle`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings

MB = 1000 * 1000


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def _positive_or_none(value: Any) -> int | None:
    number = int(value or 0)
    return number if number > 0 else None


@dataclass(frozen=True)
class AdvisorOptions:
    """``budget_bytes`` given explicitly wins over ``budget_share`` times the database size (never below
    ``min_budget_bytes``); with neither there is no budget. ``max_per_table`` caps the new indexes per
    table (None: no cap). ``rules`` limits a run to some rules (by name); None runs them all."""

    window: dt.timedelta = field(default_factory=lambda: dt.timedelta(days=_setting("ADVISOR_WINDOW_DAYS", 7)))
    profile: str = field(default_factory=lambda: str(_setting("ADVISOR_PROFILE", "balanced")))
    budget_bytes: int | None = None
    budget_share: float = field(default_factory=lambda: float(_setting("ADVISOR_BUDGET_SHARE", 0.0)))
    min_budget_bytes: int = field(default_factory=lambda: int(_setting("ADVISOR_MIN_BUDGET_MB", 16)) * MB)
    max_per_table: int | None = field(
        default_factory=lambda: _positive_or_none(_setting("ADVISOR_MAX_INDEXES_PER_TABLE", 0)))
    engine_time_limit_s: float = field(default_factory=lambda: float(_setting("ADVISOR_ENGINE_TIME_LIMIT_S", 60)))
    rules: tuple[str, ...] | None = None
    min_observation_days: int | None = None

    def budget_for(self, database_bytes: int | None) -> int | None:
        """The storage budget of this run in bytes, or None when there is none (the default)."""
        if self.budget_bytes is not None:
            return self.budget_bytes
        if self.budget_share <= 0:
            return None
        share = int((database_bytes or 0) * self.budget_share)
        return max(share, self.min_budget_bytes)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["window"] = self.window.total_seconds()
        data["rules"] = list(self.rules) if self.rules is not None else None
        return data
