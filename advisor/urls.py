"""The advisor's URLs. Per-target pages live under ``/t/<target>/advisor/`` next to the dashboards."""

from __future__ import annotations

from django.urls import path

from advisor.views import charts, decisions, drafts, lint, machine, recommendations

urlpatterns = [
    path("advisor/", recommendations.fleet_list, name="advisor-fleet"),
    path("advisor/lint/", lint.lint_page, name="advisor-lint"),
    path("t/<slug:target>/advisor/", recommendations.target_list, name="advisor"),
    path("t/<slug:target>/advisor/<int8:pk>/", recommendations.detail, name="advisor-detail"),
    path("t/<slug:target>/advisor/<int8:pk>/decide/", decisions.decide_view, name="advisor-decide"),
    path("t/<slug:target>/advisor/<int8:pk>/comment/", decisions.comment_view, name="advisor-comment"),
    path("t/<slug:target>/advisor/<int8:pk>/charts/<slug:name>/", charts.chart_view, name="advisor-chart"),
    path("t/<slug:target>/advisor/draft/", drafts.draft_view, name="advisor-draft"),
    path("t/<slug:target>/advisor/machine/", machine.machine_view, name="advisor-machine"),
]
