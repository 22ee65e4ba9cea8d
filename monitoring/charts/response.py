"""Serialise a figure for plotly.js. Times go out in the display time zone without an offset:
plotly.js has no notion of time zones and would otherwise show UTC next to local tables."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse

from monitoring.charts.figures import plotly_safe


class FigureEncoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            if o.tzinfo is not None:
                o = o.astimezone(ZoneInfo(settings.TIME_ZONE)).replace(tzinfo=None)
            return o.isoformat(sep=" ", timespec="milliseconds")
        return super().default(o)


def figure_json(figure: dict[str, Any]) -> str:
    """The figure for plotly.js, every text in it escaped (``figures.plotly_safe``)."""
    return json.dumps(plotly_safe(figure), cls=FigureEncoder, separators=(",", ":"))


def chart_response(figure: dict[str, Any], *, status: int = 200) -> HttpResponse:
    response = HttpResponse(figure_json(figure), content_type="application/json", status=status)
    response["Cache-Control"] = "no-store"
    return response


def chart_error(status: str, message: str, hint: str = "") -> HttpResponse:
    """What a chart shows in its place when its data could not be read (the page stays up)."""
    body = {"error": {"status": status, "message": message, "hint": hint}}
    return chart_response(body, status=503)
