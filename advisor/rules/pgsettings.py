"""Reading server settings from the history store (``SettingValue``) in the units rules reason in, and
writing the suggestion the way a DBA would apply it (``ALTER SYSTEM`` + reload or restart)."""

from __future__ import annotations

from collections.abc import Mapping

from monitoring.models import SettingValue

# Parameters that only change with a server restart (context "postmaster"); the history store keeps
# no context column, and this list is short and stable.
RESTART = frozenset({"shared_buffers", "max_connections", "max_worker_processes", "wal_buffers",
                     "huge_pages"})
UNIT_BYTES = {"B": 1, "kB": 1024, "8kB": 8192, "16kB": 16384, "32kB": 32768, "MB": 1024 ** 2, "GB": 1024 ** 3}
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "min": 60_000.0, "h": 3_600_000.0, "d": 86_400_000.0}


def raw(settings: Mapping[str, SettingValue], name: str) -> str | None:
    value = settings.get(name)
    return value.setting if value is not None else None


def number(settings: Mapping[str, SettingValue], name: str) -> float | None:
    text = raw(settings, name)
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def as_bytes(settings: Mapping[str, SettingValue], name: str) -> int | None:
    """A memory or size setting in bytes (``-1`` stays -1: "use another setting")."""
    value, sv = number(settings, name), settings.get(name)
    if value is None or sv is None:
        return None
    if value < 0:
        return int(value)
    return int(value * UNIT_BYTES.get(sv.unit, 1))


def as_ms(settings: Mapping[str, SettingValue], name: str) -> float | None:
    value, sv = number(settings, name), settings.get(name)
    if value is None or sv is None:
        return None
    return value * UNIT_MS.get(sv.unit, 1.0) if value >= 0 else value


def is_default(settings: Mapping[str, SettingValue], name: str) -> bool:
    sv = settings.get(name)
    return sv is not None and sv.is_default


def needs_restart(name: str, major: int | None) -> bool:
    if name == "autovacuum_max_workers":
        return (major or 0) < 18  # PG 18 reserves worker slots at start and lets this change on reload
    return name in RESTART


def pg_size(n: int) -> str:
    """Bytes as a setting value PostgreSQL accepts, in the largest whole unit (``4GB``, ``512MB``)."""
    for unit, size in (("GB", 1024 ** 3), ("MB", 1024 ** 2), ("kB", 1024)):
        if n >= size and n % size == 0:
            return f"{n // size}{unit}"
    return f"{max(n // 1024, 64)}kB"


def round_mb(n: float, step_mb: int = 64) -> int:
    """Round to a whole number of ``step_mb`` megabytes (at least one step)."""
    step = step_mb * 1024 ** 2
    return max(step, round(n / step) * step)


def alter_system(changes: Mapping[str, str], major: int | None) -> str:
    lines = [f"ALTER SYSTEM SET {name} = '{value}';" for name, value in changes.items()]
    if any(needs_restart(name, major) for name in changes):
        lines.append("-- then restart the server: this setting only changes at start")
    else:
        lines.append("SELECT pg_reload_conf();")
    return "\n".join(lines)
