"""Numbers, durations and settings as people read them: plain functions, no template machinery.

Template filters (``monitoring/templatetags``), health checks, table columns and CSV exports all print
through these, so a duration reads the same on a page, in a check's summary and in a file.

* ``format_duration(seconds)`` — ``850 ms``, ``42 s``, ``3 m 07 s``, ``2 h 05 m``, ``4 d 3 h``
  (``formatAge`` in static/js/dbconsole.js prints the same, for durations that tick in the browser);
* ``format_ms(ms)`` — statement times, which span six orders of magnitude: more digits when small;
* ``readable_setting(setting, unit)`` — a ``pg_settings`` value with memory and times made readable.
"""

from __future__ import annotations

from django.template.defaultfilters import filesizeformat

# pg_settings units that are amounts of memory, in bytes per unit; units of time, in seconds per unit.
MEMORY_UNITS = {"B": 1, "kB": 1024, "8kB": 8192, "16kB": 16384, "MB": 1024 ** 2, "16MB": 16 * 1024 ** 2}
TIME_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0}


def format_duration(seconds: float) -> str:
    """Mirrors ``formatAge`` in static/js/dbconsole.js: the two must print the same."""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms" if seconds > 0 else "0 s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    whole = int(seconds)
    if whole < 3600:
        return f"{whole // 60} m {whole % 60:02d} s"
    if whole < 86400:
        return f"{whole // 3600} h {whole % 3600 // 60:02d} m"
    return f"{whole // 86400} d {whole % 86400 // 3600} h"


def format_ms(value: float) -> str:
    """Milliseconds for people: 0.42 ms, 37 ms, 4.2 s, 3 m 12 s, 2 h 05 m."""
    if value < 0.01:
        return "0 ms" if value <= 0 else "<0.01 ms"
    if value < 10:
        return f"{value:.2f} ms"
    if value < 1000:
        return f"{value:.0f} ms"
    if value < 60_000:
        return f"{value / 1000:.1f} s"
    return format_duration(value / 1000)


def format_bytes(value: float) -> str:
    """``1.2 MB`` with a plain space (Django's ``filesizeformat`` puts a no-break space there)."""
    return str(filesizeformat(value)).replace("\xa0", " ")


def readable_setting(setting: str, unit: str) -> str:
    """``4096`` in ``kB`` → ``4096 kB (4.0 MB)``; ``-1`` and non-numbers stay as they are."""
    if not unit:
        return setting
    try:
        number = float(setting)
    except ValueError:
        return f"{setting} {unit}"
    if number < 0:
        return f"{setting} {unit}"
    if unit in MEMORY_UNITS and unit != "B" and number:
        return f"{setting} {unit} ({format_bytes(number * MEMORY_UNITS[unit])})"
    if unit in TIME_UNITS and number:
        seconds = number * TIME_UNITS[unit]
        for size, name in ((86400, "d"), (3600, "h"), (60, "min"), (1, "s")):
            if seconds >= size:
                if name != unit:
                    return f"{setting} {unit} ({seconds / size:.3g} {name})"
                break
    return f"{setting} {unit}"
