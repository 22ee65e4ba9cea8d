"""Filters for the queries pages: ``{% load queries_ui %}`` then ``{{ value_ms|ms }}``.

Statement times span six orders of magnitude (a 0.02 ms lookup next to a 3-hour report), so they need
more digits when small and a human unit when large; ``duration`` (seconds) rounds small ones to 0.
"""

from __future__ import annotations

from typing import Any

from django import template

from dbconsole.formatting import format_ms

register = template.Library()


@register.filter
def ms(value: Any) -> str:
    """Milliseconds for people: 0.42 ms, 37 ms, 4.2 s, 3 m 12 s, 2 h 05 m."""
    if value is None or value == "":
        return "—"
    return format_ms(float(value))
