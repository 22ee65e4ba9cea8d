"""One endpoint per chart (``/t/<target>/charts/<name>/``): plotly figure JSON, or its data as CSV.

A history chart gets the range clipped to the target's history (``TimeRange.since``), so every chart
of a young target starts at its first collection and reads the resolution that span needs.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from dbconsole import params
from dbconsole.timerange import resolve_range
from monitoring import selectors
from monitoring.charts.export import FORMAT, figure_csv_response
from monitoring.charts.registry import ChartRequest
from monitoring.charts.registry import get as get_chart
from monitoring.charts.response import chart_error, chart_response
from monitoring.history.selectors.coverage import history_start
from monitoring.targets.connect import TargetError


@require_GET
@params.json_errors
def chart(request: HttpRequest, target: str, name: str) -> HttpResponse:
    spec = get_chart(name)
    if spec is None:
        raise Http404(f"no chart named {name}")
    obj = selectors.target_by_name(target)
    time_range = resolve_range(request)
    if not spec.live:
        # A young target's history starts inside the range: draw (and resolve) from its first sample.
        time_range = time_range.since(history_start(obj.pk))
    try:
        figure = spec.function(ChartRequest(request=request, target=obj, time_range=time_range))
    except TargetError as exc:
        return chart_error(exc.status, exc.message, exc.hint)
    if FORMAT.get(request) == "csv":
        return figure_csv_response(figure, f"{obj.name}-{name}")
    return chart_response(figure)
