"""Evidence as rules write it and pages show it: facts with raw values and their display, statements,
notes, caveats, SQL snippets, options with their lock cost, and the charts that tell the story.

The shape is plain JSON (stored on the recommendation, printed by ``advise --format json``)::

    {"facts": [{"label", "value", "display", "hint"}], "statements": [{"queryid", "query", …}],
     "notes": [str], "caveats": [str], "sql": [{"label", "text"}],
     "options": [{"title", "lock", "text"}], "charts": [{"name", "title"}], "ids": {…}}
"""

from __future__ import annotations

import datetime as dt
from typing import Any


class Evidence:
    def __init__(self) -> None:
        self.data: dict[str, Any] = {"facts": [], "statements": [], "notes": [], "caveats": [], "sql": [],
                                     "options": [], "charts": [], "ids": {}}

    def fact(self, label: str, value: Any, display: str | None = None, hint: str = "") -> Evidence:
        shown = display if display is not None else ("—" if value is None else str(value))
        self.data["facts"].append({"label": label, "value": _json(value), "display": shown, "hint": hint})
        return self

    def statement(self, **fields: Any) -> Evidence:
        self.data["statements"].append({k: _json(v) for k, v in fields.items()})
        return self

    def note(self, text: str) -> Evidence:
        self.data["notes"].append(text)
        return self

    def caveat(self, text: str) -> Evidence:
        self.data["caveats"].append(text)
        return self

    def sql(self, label: str, text: str) -> Evidence:
        self.data["sql"].append({"label": label, "text": text})
        return self

    def option(self, title: str, lock: str, text: str) -> Evidence:
        self.data["options"].append({"title": title, "lock": lock, "text": text})
        return self

    def chart(self, name: str, title: str) -> Evidence:
        self.data["charts"].append({"name": name, "title": title})
        return self

    def ids(self, **values: Any) -> Evidence:
        self.data["ids"].update({k: _json(v) for k, v in values.items()})
        return self

    def set(self, key: str, value: Any) -> Evidence:
        """A kind-specific entry (e.g. ``create_sql`` for index advice, read by ``advise --format sql``)."""
        self.data[key] = _json(value)
        return self

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.data.items() if v}


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return value


# -- display helpers --------------------------------------------------------------------------------

def fmt_bytes(n: float | None) -> str:
    if n is None:
        return "—"
    value = float(n)
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if abs(value) < 1024 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"


def fmt_count(n: float | None) -> str:
    if n is None:
        return "—"
    return f"{n:,.0f}"


def fmt_pct(ratio: float | None, digits: int = 0) -> str:
    if ratio is None:
        return "—"
    return f"{ratio * 100:.{digits}f}%"


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = float(seconds)
    if s < 1:
        return f"{s * 1000:.0f} ms"
    if s < 120:
        return f"{s:.0f} s"
    if s < 7200:
        return f"{s / 60:.0f} min"
    if s < 172800:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} days"


def fmt_time(when: dt.datetime | None) -> str:
    if when is None:
        return "never"
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if when.tzinfo else str(when)


def size_class(n: int | None) -> int:
    """A coarse size bucket (powers of four) for fingerprints: growth from 10 MB to 12 MB is not news,
    from 10 MB to 50 MB is."""
    if not n or n <= 0:
        return 0
    bucket = 0
    while n >= 4:
        n //= 4
        bucket += 1
    return bucket
