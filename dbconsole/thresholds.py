"""The one home of every severity threshold: health checks, advisor rules and alert rules read them here,
so the same state gets the same grade on every page.

A ``Threshold`` grades one measured value: ``info`` / ``warning`` / ``critical`` bounds (any may be
absent), reached from below (``value >= bound``; ``value > bound`` when ``strict``) — or, for a
threshold marked ``below`` (a cache hit ratio), reached by falling under the bound (``value < bound``).
A value of None is ``unknown``: what we cannot see is never ``ok``.

Every threshold can be overridden per target: ``Target.thresholds`` holds ``{key: {level: number}}``,
e.g. ``{"long_query_seconds": {"warning": 600, "critical": 7200}}`` — only the levels the threshold
has, numbers ≥ 0 in its unit, in its order (``validate_overrides`` checks it when a target is saved).
``DEFAULTS`` is the table of every key with its unit, meaning and default bounds (README lists it).

The API, for a health check, an advisor rule or an alert rule asking "what is the grade of value X for
threshold T on target Y":

* ``thresholds_for(target)`` → ``Thresholds`` (the defaults with that target's overrides);
  ``.grade(key, value)``, ``.bound(key, level)``, ``[key]`` → ``Threshold``;
* ``grade(key, value, target=None)`` — the same in one call;
* ``grade_wraparound(age, freeze_max_age, thresholds)`` — transaction (or multixact) id age against
  the server's ``autovacuum_freeze_max_age`` and the hard limit; ``grade_sequence(percent, cycle, ...)``;
  ``grade_bloat(wasted, ratio, ...)``;
* ``worst(*grades)`` / ``least(*grades)`` and ``RANK``: grades compared.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ValidationError

UNKNOWN, OK, INFO, WARNING, CRITICAL = "unknown", "ok", "info", "warning", "critical"
RANK = {UNKNOWN: 0, OK: 1, INFO: 2, WARNING: 3, CRITICAL: 4}
LEVELS = (INFO, WARNING, CRITICAL)

KB, MB, GB = 1024, 1024 ** 2, 1024 ** 3
MINUTE, HOUR, DAY = 60, 3600, 86400
XID_LIMIT = 2 ** 31   # the server stops assigning transaction ids about 3 million before this age
# PostgreSQL's defaults, graded against until the settings collector has read the server's own.
FREEZE_MAX_AGE_DEFAULT = 200_000_000
MULTIXACT_FREEZE_MAX_AGE_DEFAULT = 400_000_000


@dataclass(frozen=True)
class Threshold:
    key: str
    unit: str
    doc: str
    info: float | None = None
    warning: float | None = None
    critical: float | None = None
    below: bool = False     # lower values are worse: a level is reached by falling under its bound
    strict: bool = False    # (not below) a level is reached only by exceeding its bound

    def bound(self, level: str) -> float | None:
        return {INFO: self.info, WARNING: self.warning, CRITICAL: self.critical}[level]

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(level for level in LEVELS if self.bound(level) is not None)

    def reaches(self, value: float, level: str) -> bool:
        bound = self.bound(level)
        if bound is None:
            return False
        if self.below:
            return value < bound
        return value > bound if self.strict else value >= bound

    def grade(self, value: float | None) -> str:
        if value is None:
            return UNKNOWN
        for level in (CRITICAL, WARNING, INFO):
            if self.reaches(float(value), level):
                return level
        return OK


def _t(key: str, unit: str, doc: str, **levels: Any) -> Threshold:
    return Threshold(key=key, unit=unit, doc=doc, **levels)


_LISTED = (
    # -- sessions (health: live and from the newest activity sample) ---------------------------------
    _t("long_query_seconds", "seconds", "the longest running query", warning=5 * MINUTE, critical=HOUR),
    _t("idle_in_transaction_seconds", "seconds", "the longest session idle in a transaction (history)",
       warning=MINUTE, critical=15 * MINUTE),
    _t("idle_in_transaction_sessions", "sessions", "sessions idle in a transaction now (live)", warning=1),
    _t("blocked_sessions", "sessions", "sessions waiting on a lock", warning=1, critical=5),
    # One grade for one fact, wherever it is shown: the headline's lock incidents and the lock_wait alert.
    _t("lock_wait_seconds", "seconds", "the longest a session of a lock chain has waited (lock incidents over the "
       "range on the overview headline and fleet badge; the lock_wait alert)", warning=20, critical=5 * MINUTE),
    _t("connection_saturation", "ratio", "client connections / max_connections (live) or usable slots",
       warning=0.80, critical=0.95),
    _t("cache_hit_ratio", "ratio", "blocks found in shared buffers / blocks requested", below=True,
       warning=0.95, critical=0.80),
    # -- wraparound and overflow (health and the advisor's wraparound and sequence rules) ------------
    _t("wraparound_freeze_age_ratio", "ratio to autovacuum_(multixact_)freeze_max_age",
       "xid (mxid) age over the age that forces an anti-wraparound vacuum; twice it: vacuum is not keeping up",
       warning=1.0, critical=2.0),
    _t("wraparound_age", "transactions", "xid (mxid) age: critical from here whatever the freeze settings "
       f"(writes stop near {XID_LIMIT:,})", critical=1_500_000_000),
    _t("sequence_used_percent", "percent", "share of a sequence's (or its column type's) range used",
       warning=75.0, critical=90.0),
    # -- replication and archiving (health) ----------------------------------------------------------
    _t("replication_lag_seconds", "seconds", "replay lag of a replica, or this standby's replay delay",
       warning=MINUTE, critical=5 * MINUTE),
    _t("replication_lag_bytes", "bytes", "replay lag of a replica", warning=GB, critical=16 * GB),
    _t("slot_retained_bytes", "bytes", "WAL kept by an inactive replication slot", warning=GB),
    _t("archive_failure_recent_seconds", "seconds",
       "archiving recovered, but failed this recently: still a warning", warning=DAY),
    _t("collection_stale_seconds", "seconds", "no collector ran for this long: collection stopped (a warning) "
       "and every check reading history is unknown", warning=15 * MINUTE),
    # -- bloat (advisor: table and index bloat) -------------------------------------------------------
    _t("bloat_ratio", "ratio", "empty or dead share of a relation (with bloat_bytes: proportionally large)",
       info=0.5, warning=0.8),
    _t("bloat_bytes", "bytes", "wasted bytes of a proportionally large bloat", info=MB, warning=100 * MB),
    _t("bloat_large_bytes", "bytes", "wasted bytes of a large bloat (with bloat_large_ratio)",
       info=64 * MB, warning=GB),
    _t("bloat_large_ratio", "ratio", "the least share a large bloat must be", info=0.3),
    # -- indexes (advisor) ------------------------------------------------------------------------------
    # How long an index must be observed before it may be called unused at all is a setting, not a
    # grade: DBCONSOLE_ADVISOR_MIN_OBSERVATION_DAYS (or the target's machine facts).
    _t("unused_index_bytes", "bytes", "an unused index this big warns", warning=64 * MB),
    _t("redundant_index_bytes", "bytes", "a redundant index this big warns", warning=GB),
    _t("fk_child_rows", "rows", "a referencing table this big without an index on the key warns "
       "(when parent rows were deleted or locks waited on it)", warning=10_000),
    _t("missing_index_time_share", "ratio", "share of all statement time a missing index would serve",
       warning=0.05),
    # -- maintenance and configuration (advisor) ------------------------------------------------------
    _t("autovacuum_lag_dead_tuples", "rows", "dead tuples of a table autovacuum is behind on",
       info=1_000, warning=100_000),
    _t("autovacuum_lag_dead_ratio", "ratio", "dead / (live + dead) tuples of that table", info=0.10, warning=0.20),
    _t("autovacuum_lagging_tables", "tables", "tables behind before autovacuum's capacity is questioned", info=2),
    _t("checkpoints_requested", "checkpoints", "requested (not timed) checkpoints in the window",
       info=3, warning=10),
    _t("checkpoints_requested_share", "ratio", "requested / all checkpoints in the window", info=0.2, warning=0.5),
    _t("temp_files", "files", "temporary files written in the window", info=10),
    _t("temp_bytes", "bytes", "bytes spilled to temporary files in the window", info=32 * MB, warning=10 * GB),
    _t("shared_buffers_ram_share_low", "ratio", "shared_buffers / RAM, too small", below=True,
       info=0.15, warning=0.10),
    _t("shared_buffers_ram_share_high", "ratio", "shared_buffers / RAM, too large", strict=True,
       info=0.40, warning=0.50),
    _t("effective_cache_size_ram_share_low", "ratio", "effective_cache_size / RAM, too small", below=True,
       info=0.40),
    _t("effective_cache_size_ram_share_high", "ratio", "effective_cache_size / RAM, too large", strict=True,
       info=0.90),
    _t("idle_in_transaction_untimed_seconds", "seconds",
       "longest idle-in-transaction session in the window while idle_in_transaction_session_timeout is off",
       info=5 * MINUTE, warning=HOUR),
    _t("long_query_untimed_seconds", "seconds", "longest query in the window while statement_timeout is off",
       info=HOUR),
    # -- alert rules (alerts/rules/; the ones above are read by alert rules too) ------------------------
    _t("long_transaction_seconds", "seconds", "the oldest open transaction", warning=30 * MINUTE,
       critical=2 * HOUR),
    _t("collector_failures", "runs", "consecutive failed runs of one collector", warning=3),
    _t("collector_stale_intervals", "intervals",
       "a collector without a success for this many of its intervals is stale (its rules cannot be evaluated)",
       warning=3),
    _t("archive_age_seconds", "seconds", "since the last WAL segment was archived, while archiving is in use",
       warning=6 * HOUR, critical=DAY),
    _t("deadlocks", "deadlocks", "deadlocks between the two newest database samples (5 min)", warning=1,
       critical=10),
    _t("temp_bytes_burst", "bytes", "bytes spilled to temporary files between the two newest database samples",
       warning=GB, critical=10 * GB),
    _t("query_regression_ratio", "ratio", "a statement's mean time in the recent window / its baseline mean "
       "(the same hour the day or the week before)", warning=3.0, critical=10.0),
    _t("query_regression_min_calls", "calls",
       "the least calls a statement needs in the window and in its baseline hour to be compared", warning=20),
    _t("query_regression_window_seconds", "seconds", "the recent window a statement's mean time is taken over",
       warning=15 * MINUTE),
    _t("disk_full_days", "days", "days until the database reaches its size limit at the growth of the last "
       "day (only where the limit is given)", below=True, warning=14, critical=3),
)
DEFAULTS: dict[str, Threshold] = {t.key: t for t in _LISTED}
# A key listed twice would silently keep only its last grades: one fact, one threshold.
if len(DEFAULTS) != len(_LISTED):
    raise ImportError(f"thresholds listed twice: {sorted({t.key for t in _LISTED if list(_LISTED).count(t) > 1})}")
KEYS = tuple(DEFAULTS)


class HasThresholds(Protocol):
    """A target (``monitoring.models.Target``): its ``thresholds`` JSON holds the overrides."""

    thresholds: Any


class Thresholds:
    """The thresholds of one target: the defaults, with its overrides applied."""

    def __init__(self, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._table = dict(DEFAULTS)
        for key, levels in (overrides or {}).items():
            if key in self._table and isinstance(levels, Mapping):
                changed: dict[str, Any] = {level: float(v) for level, v in levels.items()
                                           if level in self._table[key].levels and _number(v)}
                self._table[key] = dataclasses.replace(self._table[key], **changed)

    def __getitem__(self, key: str) -> Threshold:
        return self._table[key]

    def grade(self, key: str, value: float | None) -> str:
        return self._table[key].grade(value)

    def bound(self, key: str, level: str) -> float:
        """The bound of a level the threshold has (a ``KeyError`` names a level it lacks)."""
        bound = self._table[key].bound(level)
        if bound is None:
            raise KeyError(f"threshold {key!r} has no {level} level")
        return bound


DEFAULT = Thresholds()


def thresholds_for(target: HasThresholds | None) -> Thresholds:
    overrides = getattr(target, "thresholds", None) if target is not None else None
    return Thresholds(overrides) if overrides else DEFAULT


def grade(key: str, value: float | None, target: HasThresholds | None = None) -> str:
    """The grade of ``value`` for threshold ``key`` on ``target`` (its overrides, else the defaults)."""
    return thresholds_for(target).grade(key, value)


def worst(*grades: str) -> str:
    return max(grades, key=RANK.__getitem__, default=UNKNOWN)


def least(*grades: str) -> str:
    """The mildest: the level every one of several conditions reaches together."""
    return min(grades, key=RANK.__getitem__, default=UNKNOWN)


def grade_wraparound(age: float | None, freeze_max_age: float | None, thresholds: Thresholds = DEFAULT) -> str:
    """An xid (or mxid) age: warning from ``autovacuum_freeze_max_age`` (anti-wraparound vacuums are
    due), critical from twice it (they are not keeping up) or from ``wraparound_age`` whatever the
    settings. Pass ``autovacuum_multixact_freeze_max_age`` for an mxid age; None means the default."""
    if age is None:
        return UNKNOWN
    limit = freeze_max_age or FREEZE_MAX_AGE_DEFAULT
    return worst(thresholds.grade("wraparound_freeze_age_ratio", age / limit),
                 thresholds.grade("wraparound_age", age))


def grade_sequence(percent_used: float | None, cycle: bool, thresholds: Thresholds = DEFAULT) -> str:
    """A sequence's share of its range used; one declared CYCLE wraps around on purpose and never fails
    ``nextval``, so it is never at risk of overflow."""
    if cycle:
        return OK
    return thresholds.grade("sequence_used_percent", percent_used)


def grade_bloat(wasted: float | None, ratio: float | None, thresholds: Thresholds = DEFAULT) -> str:
    """Worth acting on when proportionally large (``bloat_ratio`` and ``bloat_bytes`` both reached) or
    large in absolute terms (``bloat_large_bytes``, at least ``bloat_large_ratio`` of the relation)."""
    if wasted is None or ratio is None:
        return UNKNOWN
    proportional = least(thresholds.grade("bloat_ratio", ratio), thresholds.grade("bloat_bytes", wasted))
    large = thresholds.grade("bloat_large_bytes", wasted) if thresholds["bloat_large_ratio"].reaches(ratio, INFO) \
        else OK
    return worst(proportional, large)


# -- validation of a target's overrides -----------------------------------------------------------------

def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def validate_overrides(value: Any) -> None:
    """Raise ``ValidationError`` unless ``value`` is ``{key: {level: number ≥ 0}}`` with known keys, the
    levels each threshold has, and the levels still in order (info before warning before critical)."""
    if not isinstance(value, Mapping):
        raise ValidationError("thresholds must be an object: {\"key\": {\"warning\": number, …}}")
    errors = []
    for key, levels in value.items():
        if key not in DEFAULTS:
            errors.append(f"unknown threshold {key!r}")
            continue
        known = DEFAULTS[key].levels
        if not isinstance(levels, Mapping) or not levels:
            errors.append(f"{key}: give an object of levels ({', '.join(known)})")
            continue
        bad = [level for level in levels if level not in known]
        if bad:
            errors.append(f"{key}: {', '.join(map(str, bad))} is not one of its levels ({', '.join(known)})")
            continue
        if not all(_number(v) for v in levels.values()):
            errors.append(f"{key}: each level must be a number ≥ 0 in {DEFAULTS[key].unit}")
            continue
        merged = Thresholds({key: levels})[key]
        bounds = [b for b in (merged.bound(level) for level in LEVELS) if b is not None]
        if bounds != sorted(bounds, reverse=merged.below):
            order = "decrease (lower is worse)" if merged.below else "increase"
            errors.append(f"{key}: the bounds must {order} from info to warning to critical")
    if errors:
        raise ValidationError(errors)
