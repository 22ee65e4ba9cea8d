"""How long statistics have covered something — the minimum observation of rules whose evidence is
an absence or a rate over time.

"Not scanned once" means nothing after an hour of statistics: a weekly report or a monthly job uses
the index later. So such a rule judges only once the statistics cover the object for a minimum time,
and says "too early to tell: N days of 14 observed" (an unknown, never a drop) before.

The observation of an object starts when the history store first saw it (an index: when the
relations collector first listed it) and starts again at the latest statistics reset or server
restart after that (the history store records both as events): a
reset zeroes the counters, and a crash discards them, losing what happened since the last sample —
the history store cannot tell a crash from a clean restart, so every restart counts.

Rules using it: ``unused_indexes`` (no scan; ``ADVISOR_MIN_OBSERVATION_DAYS``, 14 by default, per
target in the machine facts) and ``config_checkpoints`` (the share of requested checkpoints, over at
least ``CHECKPOINTS_MIN_OBSERVATION``). ``duplicate_indexes`` only waits for the scans of both
indexes to be known before it chooses, and then keeps its choice.
"""

from __future__ import annotations

import datetime as dt

CHECKPOINTS_MIN_OBSERVATION = dt.timedelta(days=1)
TOO_EARLY = "too_early"


def observation_start(first_sample: dt.datetime | None,
                      resets: list[tuple[dt.datetime, str]]) -> tuple[dt.datetime | None, str | None]:
    """When the statistics covering an object began, and what restarted them (None: the first sample).
    ``resets`` are ``(time, what)`` pairs; None when the object was never sampled."""
    if first_sample is None:
        return None, None
    start, why = first_sample, None
    for at, what in resets:
        if at > start:
            start, why = at, what
    return start, why


def observed(now: dt.datetime, start: dt.datetime | None) -> dt.timedelta:
    return now - start if start is not None and start < now else dt.timedelta(0)


def fmt_days(span: dt.timedelta) -> str:
    """``0.2``, ``3``, ``13`` — days as a person counts them: whole days from one on, tenths below."""
    days = span.total_seconds() / 86400
    return f"{days:.1f}" if days < 1 else f"{int(days)}"


def too_early(spans: list[dt.timedelta], needed: dt.timedelta) -> str:
    """``too early to tell: 3 days of 14 observed`` (or ``2 to 9 days`` when the objects differ)."""
    low, high = fmt_days(min(spans)), fmt_days(max(spans))
    shown = low if low == high else f"{low} to {high}"
    unit = "day" if shown == "1" else "days"
    return f"too early to tell: {shown} {unit} of {fmt_days(needed)} observed"
