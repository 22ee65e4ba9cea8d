"""The context every per-target page shares: the target, the switcher, the nav and the time range."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from dbconsole.timerange import PRESETS, QUERY_KEYS, TimeRange, range_error, resolve_range
from monitoring import selectors
from monitoring.models import Target
from monitoring.ui.nav import TARGET_NAV, item


def frame(request: HttpRequest, target: Target, page: str) -> dict[str, Any]:
    """One query (the switcher's target list) on top of the target already loaded."""
    time_range = resolve_range(request)
    range_query = time_range.querystring() if _range_in_url(request) else ""
    suffix = f"?{range_query}" if range_query else ""
    current = item(page)
    return {
        "target": target,
        "targets": list(selectors.all_targets().only("name")),
        "page": page,
        "nav": [
            {"label": i.label, "url": reverse(i.url_name, args=[target.name]) + suffix,
             "active": i.url_name == page, "live": i.live}
            for i in TARGET_NAV
        ],
        "time_range": time_range,
        "range_error": range_error(request),
        "range_query": range_query,
        "uses_range": bool(current and current.uses_range),
        "presets": _presets(request, time_range),
        "range_inputs": {"from": time_range.input_value("from"), "to": time_range.input_value("to")},
    }


def range_frame(request: HttpRequest) -> dict[str, Any]:
    """The range picker's context for a page that is not a target's (the fleet page)."""
    time_range = resolve_range(request)
    return {
        "time_range": time_range,
        "range_error": range_error(request),
        "presets": _presets(request, time_range),
        "range_inputs": {"from": time_range.input_value("from"), "to": time_range.input_value("to")},
    }


def _range_in_url(request: HttpRequest) -> bool:
    return any(request.GET.get(k) for k in QUERY_KEYS)


def _presets(request: HttpRequest, current: TimeRange) -> list[dict[str, Any]]:
    others = request.GET.copy()
    for key in ("range", "from", "to", "csv"):
        others.pop(key, None)
    out = []
    for name in PRESETS:
        params = others.copy()
        params["range"] = name
        out.append({"name": name, "query": params.urlencode(), "active": current.preset == name})
    pinned = others.copy()
    pinned.update(current.pinned().params())
    out.append({"name": "pin", "query": pinned.urlencode(), "active": False})
    return out
