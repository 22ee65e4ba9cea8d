"""Filters of the space, settings and replication pages: ``{% load space_ui %}``.

* ``{{ bytes|signed_bytes }}`` — a growth: ``+1.2 MB``, ``-300 kB`` (with a real minus sign), ``0 bytes``.
* ``{{ part|share_of:whole }}`` — a ratio for ``pct`` (None when the whole is 0 or the part unknown).
* ``{{ setting|setting_display }}`` — a ``SettingValue`` with its unit, memory and times made readable.
"""

from __future__ import annotations

from typing import Any

from django import template

from dbconsole.formatting import format_bytes, readable_setting

register = template.Library()


@register.filter
def signed_bytes(value: Any) -> str:
    if value is None:
        return "—"
    number = int(value)
    if number == 0:
        return "0 bytes"
    return ("+" if number > 0 else "\u2212") + format_bytes(abs(number))


@register.filter
def share_of(part: Any, whole: Any) -> float | None:
    if part is None or not whole:
        return None
    return float(part) / float(whole)


@register.filter
def setting_display(value: Any) -> str:
    return readable_setting(str(getattr(value, "setting", "")), str(getattr(value, "unit", "")))
