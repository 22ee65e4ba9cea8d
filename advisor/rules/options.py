"""How an advisor run is tuned: the history window, the index budget, the engine's time limit.

Defaults come from settings, set through the environment (see ``.env.example``):
``ADVISOR_WINDOW_DAYS`` (7), ``ADVISOR_BUDGET_SHARE`` (0.2 — the index budget as a share of the
database size, ``DBCONSOLE_ADVISOR_BUDGET_PERCENT``), ``ADVISOR_MIN_BUDGET_MB`` (16),
``ADVISOR_ENGINE_TIME_LIMIT_S`` (60).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings

MB = 1024 * 1024


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


@dataclass(frozen=True)
class AdvisorOptions:
    """``budget_bytes`` given explicitly wins over ``budget_share`` times the database size (never below
    ``min_budget_bytes``). ``rules`` limits a run to some rules (by name); None runs them all."""

    window: dt.timedelta = field(default_factory=lambda: dt.timedelta(days=_setting("ADVISOR_WINDOW_DAYS", 7)))
    budget_bytes: int | None = None
    budget_share: float = field(default_factory=lambda: float(_setting("ADVISOR_BUDGET_SHARE", 0.2)))
    min_budget_bytes: int = field(default_factory=lambda: int(_setting("ADVISOR_MIN_BUDGET_MB", 16)) * MB)
    engine_time_limit_s: float = field(default_factory=lambda: float(_setting("ADVISOR_ENGINE_TIME_LIMIT_S", 60)))
    rules: tuple[str, ...] | None = None

    def budget_for(self, database_bytes: int | None) -> int:
        if self.budget_bytes is not None:
            return self.budget_bytes
        share = int((database_bytes or 0) * self.budget_share)
        return max(share, self.min_budget_bytes)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["window"] = self.window.total_seconds()
        data["rules"] = list(self.rules) if self.rules is not None else None
        return data
