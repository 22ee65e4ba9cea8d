"""One endpoint per evidence chart of a recommendation (``…/advisor/<pk>/charts/<name>/``): the plotly
figure as JSON, or its data as CSV (``?format=csv``) — the same shapes as the dashboards' charts."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from advisor import selectors
from advisor.charts import CHARTS
from monitoring.charts.export import figure_csv_response
from monitoring.charts.response import chart_error, chart_response


@require_GET
def chart_view(request: HttpRequest, target: str, pk: int, name: str) -> HttpResponse:
    rec = selectors.recommendation(target, pk)
    if name not in {c.get("name") for c in (rec.evidence or {}).get("charts", [])} or name not in CHARTS:
        raise Http404(f"no chart {name} for this recommendation")
    try:
        figure = CHARTS[name](rec)
    except LookupError as exc:
        return chart_error("no_history", str(exc), "the collectors have not stored this yet")
    if request.GET.get("format") == "csv":
        return figure_csv_response(figure, f"{rec.target.name}-{rec.pk}-{name}")
    return chart_response(figure)
