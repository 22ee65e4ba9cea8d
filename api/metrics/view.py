"""``GET /metrics``: the Prometheus text exposition of ``HistoryCollector``.

Authentication (``DBCONSOLE_METRICS_AUTH``): ``token`` (the default) takes an API token of any user with
a role, as ``Authorization: Bearer <token>`` (Prometheus' ``authorization``) or as the password of basic
auth with the token's user name (``basic_auth``); ``none`` serves anyone who can reach it — only for a
trusted network, and only when set explicitly.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import CollectorRegistry

from api.auth import REALM, remember, token_for
from api.metrics.families import HistoryCollector
from dbconsole.access import VIEWER, has_role

_registry = CollectorRegistry(auto_describe=False)
_registry.register(HistoryCollector())


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if settings.METRICS_AUTH != "none":
        token = token_for(request, allow_basic=True)
        if token is None:
            response = HttpResponse("authentication required: an API token as Bearer, or as the basic auth "
                                    "password\n", status=401, content_type="text/plain; charset=utf-8")
            response["WWW-Authenticate"] = f'{REALM}, Basic realm="dbconsole"'
            return response
        if not has_role(token.user, VIEWER):
            return HttpResponse("the token's user has no role\n", status=403, content_type="text/plain; charset=utf-8")
        remember(request, token)
    # The format the scraper asks for: OpenMetrics for Prometheus' usual Accept header, else text 0.0.4.
    encoder, content_type = choose_encoder(request.META.get("HTTP_ACCEPT", ""))
    response = HttpResponse(encoder(_registry), content_type=content_type)
    return response
