"""One endpoint per chart (``/t/<target>/charts/<name>/``): plotly figure JSON, or its data as CSV."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from dbconsole.timerange import resolve_range
from monitoring import selectors
from monitoring.charts.export import figure_csv_response
from monitoring.charts.registry import ChartRequest
from monitoring.charts.registry import get as get_chart
from monitoring.charts.response import chart_error, chart_response
from monitoring.targets.connect import TargetError


@require_GET
def chart(request: HttpRequest, target: str, name: str) -> HttpResponse:
    spec = get_chart(name)
    if spec is None:
        raise Http404(f"no chart named {name}")
    obj = selectors.target_by_name(target)
    try:
        figure = spec.function(ChartRequest(request=request, target=obj, time_range=resolve_range(request)))
    except TargetError as exc:
        return chart_error(exc.status, exc.message, exc.hint)
    if request.GET.get("format") == "csv":
        return figure_csv_response(figure, f"{obj.name}-{name}")
    return chart_response(figure)
