"""``/api/v1/`` (namespace ``api``), the API tokens page and ``/metrics``.

API views authenticate themselves (bearer token or session, ``REST_FRAMEWORK``), so they are exempt from
the login redirect: a script gets a 401 in the API's error shape, never a login page. Any other path
under ``/api/`` answers a JSON 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path, re_path

from api.errors import json_not_found
from api.metrics.view import metrics
from api.views import (
    advice,
    alerts,
    backends,
    docs,
    health,
    history,
    relations,
    statements,
    targets,
    tokens_page,
)


def open_to_tokens(view: Callable[..., Any]) -> Callable[..., Any]:
    return login_not_required(view)


def _api(route: str, view: Any, name: str) -> URLPattern:
    return path(route, open_to_tokens(view.as_view()), name=name)


T = "targets/<str:name>/"
REC = T + "recommendations/<str:id>/"

v1: list[URLPattern | URLResolver] = [
    _api("", docs.ApiIndex, "index"),
    path("schema/", open_to_tokens(docs.Schema.as_view()), name="schema"),
    path("docs/", docs.docs, name="docs"),
    _api("targets/", targets.TargetList, "targets"),
    _api(T, targets.TargetDetail, "target"),
    _api(T + "check/", targets.TargetCheck, "target-check"),
    _api(T + "health/", health.Health, "health"),
    _api(T + "statements/", statements.StatementList, "statements"),
    _api(T + "statements/<str:seq>/", statements.StatementDetail, "statement"),
    _api(T + "statements/<str:seq>/series/", statements.StatementSeries, "statement-series"),
    _api(T + "indexes/", relations.IndexList, "indexes"),
    _api(T + "tables/", relations.TableList, "tables"),
    _api(T + "locks/incidents/", history.LockIncidentList, "lock-incidents"),
    _api(T + "locks/incidents/<str:incident>/", history.LockIncidentDetail, "lock-incident"),
    _api(T + "connections/", history.ConnectionHistory, "connections"),
    _api(T + "settings/", history.SettingList, "settings"),
    _api(T + "settings/changes/", history.SettingChangeList, "setting-changes"),
    _api(T + "activity/", backends.Activity, "activity"),
    _api(T + "backends/<str:pid>/cancel/", backends.BackendCancel, "backend-cancel"),
    _api(T + "backends/<str:pid>/terminate/", backends.BackendTerminate, "backend-terminate"),
    _api(T + "recommendations/", advice.RecommendationList, "recommendations"),
    _api(REC, advice.RecommendationDetail, "recommendation"),
    _api(REC + "decision/", advice.RecommendationDecision, "recommendation-decision"),
    _api(REC + "comments/", advice.RecommendationComments, "recommendation-comments"),
    _api(REC + "draft/", advice.RecommendationDraft, "recommendation-draft"),
    _api(T + "advisor/runs/", advice.AdvisorRun, "advisor-run"),
    _api(T + "alerts/", alerts.TargetAlertList, "target-alerts"),
    _api("alerts/", alerts.AlertList, "alerts"),
    _api("alerts/<str:id>/", alerts.AlertDetail, "alert"),
    _api("alerts/<str:id>/acknowledge/", alerts.AlertAcknowledge, "alert-acknowledge"),
    _api("silences/", alerts.SilenceList, "silences"),
    _api("audit/", history.AuditList, "audit"),
]


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", include((v1, "api"))),
    re_path(r"^api/", open_to_tokens(json_not_found)),
    path("account/tokens/", tokens_page.tokens_page, name="api-tokens"),
    path("account/tokens/new/", tokens_page.create, name="api-token-create"),
    path("account/tokens/<int8:pk>/revoke/", tokens_page.revoke, name="api-token-revoke"),
    path("metrics", open_to_tokens(metrics), name="metrics"),
]
