"""Template tags shared by every page: charts, table heads and tools, durations that tick, numbers.

``{% load dbconsole_ui %}`` then:

* ``{% chart "connections-by-state" %}`` — a lazily loaded chart (own endpoint, current time range);
  ``poll=10`` refreshes it while the tab is visible, ``height=`` sets its height in pixels.
* ``{% table_tools table %}`` / ``{% table_head table %}`` — filter form + CSV link / sortable ``<thead>``.
* ``{{ seconds_or_timedelta|ticking }}`` — a duration that keeps counting in the browser.
* ``{{ value|duration }}``, ``{{ n|compact }}``, ``{{ ratio|pct }}``.
* ``{% level "connection_saturation" ratio %}`` / ``{% wraparound_level age freeze_max_age %}`` — the
  ok / warn / error class of a value by the page target's thresholds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from dbconsole.formatting import format_duration
from dbconsole.thresholds import CRITICAL, INFO, OK, UNKNOWN, WARNING, Thresholds, grade_wraparound, thresholds_for
from monitoring.charts.registry import get as get_chart
from monitoring.ui.tables import Table

register = template.Library()


@register.inclusion_tag("ui/chart.html", takes_context=True)
def chart(context: template.Context, name: str, *, height: int = 260, poll: int = 0, title: str = "") -> dict[str, Any]:
    spec = get_chart(name)
    if spec is None:
        raise template.TemplateSyntaxError(f"no chart named {name!r}")
    url = reverse("chart", args=[context["target"].name, name])
    query = context.get("range_query") or ""
    return {
        "name": name,
        "title": title or spec.title,
        "url": f"{url}?{query}" if query else url,
        "csv_url": f"{url}?{query}&format=csv" if query else f"{url}?format=csv",
        "height": int(height),
        "poll": int(poll),
    }


@register.inclusion_tag("ui/table_head.html")
def table_head(table: Table) -> dict[str, Any]:
    return {"table": table}


@register.inclusion_tag("ui/table_tools.html")
def table_tools(table: Table, placeholder: str = "filter…") -> dict[str, Any]:
    return {"table": table, "placeholder": placeholder}


def _seconds(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value)


@register.filter
def duration(value: Any) -> str:
    seconds = _seconds(value)
    return "—" if seconds is None else format_duration(seconds)


@register.filter
def ticking(value: Any) -> str:
    """A ``<span data-age>`` that static JS advances every second (from the server's own clock)."""
    seconds = _seconds(value)
    if seconds is None:
        return mark_safe('<span class="muted">—</span>')
    return format_html('<span class="age" data-age="{}">{}</span>', f"{seconds:.3f}", format_duration(seconds))


@register.filter
def compact(value: Any) -> str:
    if value is None:
        return "—"
    number = float(value)
    for limit, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= limit:
            return f"{number / limit:.1f}{suffix}"
    return f"{number:.0f}" if number.is_integer() else f"{number:.2f}"


@register.filter
def pct(value: Any, digits: int = 0) -> str:
    """A ratio (0.42) as a percentage ("42%")."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def bar_width(value: Any) -> str:
    """A ratio clamped to 0-100 for a bar's ``data-width`` (so 1.3 never overflows a meter)."""
    if value is None:
        return "0"
    return f"{max(0.0, min(float(value), 1.0)) * 100:.1f}"


# Meter and figure colours for a grade; what is unknown or merely informational is not coloured.
CSS = {UNKNOWN: "ok", OK: "ok", INFO: "ok", WARNING: "warn", CRITICAL: "error"}


def _thresholds(context: template.Context) -> Thresholds:
    return thresholds_for(context.get("target"))


@register.simple_tag(takes_context=True)
def level(context: template.Context, key: str, value: Any) -> str:
    """ok / warn / error for ``value`` graded by threshold ``key`` (``dbconsole.thresholds``) of the
    page's target: ``{% level "connection_saturation" now.saturation %}``."""
    return CSS[_thresholds(context).grade(key, None if value is None or value == "" else float(value))]


@register.simple_tag(takes_context=True)
def wraparound_level(context: template.Context, age: Any, freeze_max_age: Any) -> str:
    """ok / warn / error for an xid (mxid) age against its freeze max age, graded as the health check
    and the advisor grade it."""
    if age is None or age == "":
        return CSS[UNKNOWN]
    return CSS[grade_wraparound(float(age), float(freeze_max_age or 0) or None, _thresholds(context))]
