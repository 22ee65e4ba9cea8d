"""The API's entry point, its OpenAPI schema and the docs page.

The docs page is Swagger UI from ``drf-spectacular-sidecar``'s package, served from our static files (no
CDN), started by ``static/api/docs.js`` — no inline script, so the site's CSP (``CONTENT_SECURITY_POLICY``)
holds here too — with the schema URL in a data attribute.
It is a page for signed-in people (the session's login applies); its requests carry the session and,
for writes, the CSRF token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.renderers import OpenApiJsonRenderer, OpenApiYamlRenderer
from drf_spectacular.views import SpectacularAPIView
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api import queries as q
from api.schema import documented
from api.views.base import ApiView
from dbconsole.access import VIEWER, role_required, roles_of


class ApiIndexSerializer(serializers.Serializer[Any]):
    version = serializers.CharField()
    schema = serializers.URLField()
    docs = serializers.URLField()
    targets = serializers.URLField()
    user = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())


class ApiIndex(ApiView):
    @documented(op="api_index",
                summary="Where to start: the schema, the docs, the targets; who you are", query=q.NONE,
                responses={200: ApiIndexSerializer}, tags=["api"])
    def get(self, request: Request) -> Response:
        q.NONE.read(request.query_params)
        url = request.build_absolute_uri
        return Response(ApiIndexSerializer({
            "version": "v1", "schema": url(reverse("api:schema")), "docs": url(reverse("api:docs")),
            "targets": url(reverse("api:targets")), "user": request.user.get_username(),
            "roles": sorted(roles_of(request.user)),
        }).data)


class Schema(SpectacularAPIView):
    """The OpenAPI 3 document: JSON, or YAML for ``Accept: application/vnd.oai.openapi``; readable by
    anyone with a role (SPECTACULAR_SETTINGS' SERVE_* name our authentication and permission)."""

    renderer_classes = [OpenApiJsonRenderer, OpenApiYamlRenderer]


@require_GET
@role_required(VIEWER)   # under /api/, which the role middleware leaves to the API
def docs(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema")})
