"""The OpenAPI 3 schema the API serves: valid (openapi-spec-validator), complete (every API route is in
it), and honest about authentication and errors on every operation."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from openapi_spec_validator import validate

from tests.api.conftest import Api

pytestmark = pytest.mark.django_db
ApiAs = Callable[[User | None], Api]
NOT_IN_SCHEMA = {"schema/", "docs/"}   # the schema itself and the HTML docs page


def _api_routes() -> set[str]:
    """Every route under /api/v1/, as the schema writes paths (``{name}`` for ``<str:name>``)."""
    out: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                out.add(prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "/")
    v1 = {r.removeprefix("/api/v1/") for r in out if r.startswith("/api/v1/")}
    return {"/api/v1/" + re.sub(r"<\w+:(\w+)>", r"{\1}", r) for r in v1 - NOT_IN_SCHEMA}


def test_it_serves_a_valid_openapi_3_schema_of_every_endpoint(viewer: User, api_as: ApiAs) -> None:
    api = api_as(viewer)
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == _api_routes()
    as_yaml = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert yaml.safe_load(as_yaml.content) == schema


def test_it_documents_authentication_and_errors_on_every_operation(viewer: User, api_as: ApiAs) -> None:
    schema = api_as(viewer).get("/api/v1/schema/").json()
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": schema["components"]["securitySchemes"]["bearerAuth"][
            "description"]}
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["$ref"].endswith("/ErrorDetail")
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) >= 26
    ids = [op["operationId"] for _p, _m, op in operations]
    assert len(ids) == len(set(ids))
    for path, method, op in operations:
        assert {"bearerAuth": []} in op["security"] and {} not in op["security"], (path, method)
        for status in ("400", "401", "403", "404", "429"):
            assert status in op["responses"], (path, method, status)
        if method != "get":
            assert "415" in op["responses"], (path, method)
        for parameter in op.get("parameters", []):
            assert parameter["in"] in ("path", "query") and parameter.get("description"), (path, parameter)


def test_it_generates_the_schema_without_a_single_warning(tmp_path: Any) -> None:
    """drf-spectacular's own validation, strict: two components with one name, an unresolvable field or an
    ambiguous enum would each be a warning — and a schema that lies somewhere."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "openapi: 3." in (tmp_path / "schema.yaml").read_text()
