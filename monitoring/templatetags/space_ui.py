"""Filters of the space, settings and replication pages: ``{% load space_ui %}``.

* ``{{ bytes|signed_bytes }}`` — a growth: ``+1.2 MB``, ``-300 kB`` (with a real minus sign), ``0 bytes``.
* ``{{ part|share_of:whole }}`` — a ratio for ``pct`` (None when the whole is 0 or the part unknown).
* ``{{ setting|setting_display }}`` — a ``SettingValue`` with its unit, memory and times made readable.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import filesizeformat

register = template.Library()

# pg_settings units that are amounts of memory, in bytes per unit.
MEMORY_UNITS = {"B": 1, "kB": 1024, "8kB": 8192, "16kB": 16384, "MB": 1024 ** 2, "16MB": 16 * 1024 ** 2}
TIME_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0}


@register.filter
def signed_bytes(value: Any) -> str:
    if value is None:
        return "—"
    number = int(value)
    if number == 0:
        return "0 bytes"
    return ("+" if number > 0 else "\u2212") + str(filesizeformat(abs(number))).replace("\xa0", " ")


@register.filter
def share_of(part: Any, whole: Any) -> float | None:
    if part is None or not whole:
        return None
    return float(part) / float(whole)


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
        human = str(filesizeformat(number * MEMORY_UNITS[unit])).replace("\xa0", " ")
        return f"{setting} {unit} ({human})"
    if unit in TIME_UNITS and number:
        seconds = number * TIME_UNITS[unit]
        for size, name in ((86400, "d"), (3600, "h"), (60, "min"), (1, "s")):
            if seconds >= size:
                if name != unit:
                    return f"{setting} {unit} ({seconds / size:.3g} {name})"
                break
    return f"{setting} {unit}"


@register.filter
def setting_display(value: Any) -> str:
    return readable_setting(str(getattr(value, "setting", "")), str(getattr(value, "unit", "")))
