"""Hostile input is normal input: every query and path parameter of every read endpoint, given NUL bytes,
control characters, non-ASCII digits, numbers past 64 bits, dates in year 1 or 9999, twice, unknown — is
a 4xx in the API's error shape, naming the parameter, never a 5xx."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.urls import NoReverseMatch, reverse

from api import queries
from api.params import Query
from tests.api.conftest import Api
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db
ApiAs = Callable[[User | None], Api]

HOSTILE = ["\x00", "a\x00b", "line\nbreak", "١٢", "𝟙𝟚", "²", "99999999999999999999999999", "-1", "1e3",  # noqa: RUF001 (look-alike digits: the point)
           "x" * 5000, "'; DROP TABLE monitoring_target; --", "☃"]
DATES = ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2025-13-45", "２０２５-01-01T00:00",  # noqa: RUF001 (look-alike digits: the point)
         "2025-01-01T25:00", "2999-01-01T00:00:00Z", "1900-01-01", "yesterday"]

KWARGS: tuple[dict[str, str], ...] = (
    {}, {"name": "{t}"}, {"name": "{t}", "seq": "1"}, {"name": "{t}", "incident": "1"}, {"name": "{t}", "id": "1"})


def _route(url_name: str) -> str:
    """The endpoint's path with ``{t}`` for the target (and 1 for any other id in the path)."""
    for kwargs in KWARGS:
        try:
            return reverse(f"api:{url_name}", kwargs=kwargs).replace("%7Bt%7D", "{t}")
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot reverse api:{url_name}")


ENDPOINTS: list[tuple[str, Query]] = [(_route(name), query) for name, query in queries.BY_URL_NAME.items()]


def _url(path: str, target: str) -> str:
    return path.format(t=target)


def _assert_refused(response: Any, field: str | None, context: Any) -> None:
    assert 400 <= response.status_code < 500, (context, response.status_code, response.content[:300])
    error = response.json()["error"]
    assert set(error) == {"code", "message", "field"} and error["message"], context
    if field is not None:
        assert error["field"] == field, (context, error)


def test_it_refuses_every_hostile_parameter_value_with_a_400(pg18_db: TargetDb, admin_user: User,
                                                            api_as: ApiAs) -> None:
    target = pg18_db.make_target()
    api = api_as(admin_user)
    for path, query in ENDPOINTS:
        url = _url(path, target.name)
        assert api.get(url).status_code in (200, 404), url   # 404: no statement 1 on an empty target
        for param in query.all():
            for value in [*HOSTILE, *(DATES if param.name in ("from", "to") else [])]:
                response = api.get(url, {param.name: value})
                if response.status_code == 200:
                    # A free-text filter may well contain a snowman or a quote: then it simply matches nothing.
                    assert param.schema.get("type") == "string" and "enum" not in param.schema, (url, param.name)
                    assert "\x00" not in value and "\n" not in value and len(value) <= 1000, (url, param.name)
                    continue
                # "to" alone is refused for its missing "from": the range's error names the range's field at fault.
                ranged = param.name in ("from", "to", "range")
                _assert_refused(response, None if ranged else param.name, (url, param.name, value[:30]))
                if ranged:
                    assert response.json()["error"]["field"] in ("from", "to", "range")


def test_it_refuses_repeated_unknown_and_mixed_parameters(pg18_db: TargetDb, viewer: User, api_as: ApiAs) -> None:
    target = pg18_db.make_target()
    api = api_as(viewer)
    url = _url(_route("statements"), target.name)
    _assert_refused(api.client.get(url + "?limit=1&limit=2"), "limit", "twice")
    _assert_refused(api.get(url, {"sorting": "calls"}), "sorting", "unknown")
    _assert_refused(api.get(url, {"format": "json"}), "format", "DRF's format override is off")
    _assert_refused(api.get(url, {"range": "1h", "from": "2025-01-01T00:00"}), "range", "both")
    _assert_refused(api.get(url, {"to": "2025-01-01T00:00"}), "from", "to without from")
    _assert_refused(api.get(url, {"range": "2h"}), "range", "no such preset")
    for cursor in ("garbage", "a" * 4001, "x:y:z", "\x00"):
        _assert_refused(api.get(url, {"cursor": cursor}), "cursor", cursor[:10])
    first = api.get(_url(_route("targets"), target.name), {"limit": 1})
    foreign = first.json()["next_cursor"]
    if foreign:   # a cursor of another listing is refused, not reinterpreted
        _assert_refused(api.get(url, {"cursor": foreign}), "cursor", "foreign cursor")
    page = api.get(url, {"limit": 1, "range": "24h"}).json()
    _assert_refused(api.get(url, {"cursor": "abc", "sort": "calls"}), "sort", "cursor with filters")
    assert page["results"] == []


def test_it_refuses_hostile_path_parameters_without_a_500(pg18_db: TargetDb, admin_user: User,
                                                          api_as: ApiAs) -> None:
    target = pg18_db.make_target()
    api = api_as(admin_user)
    bad_numbers = ["99999999999999999999999", "-1", "١", "𝟙", "1.5", "0x1", quote("\x00"), quote("a b")]  # noqa: RUF001 (look-alike digits: the point)
    templates = ["targets/{t}/statements/{n}/", "targets/{t}/statements/{n}/series/",
                 "targets/{t}/locks/incidents/{n}/", "targets/{t}/recommendations/{n}/",
                 "targets/{t}/recommendations/{n}/draft/", "alerts/{n}/"]
    for template in templates:
        for number in bad_numbers:
            url = "/api/v1/" + template.format(t=target.name, n=number)
            _assert_refused(api.get(url), None, url)
    for name in ["no-such-target", quote("ünïcode"), "x" * 64, quote("a\x00b"), quote("semi;colon")]:
        _assert_refused(api.get(f"/api/v1/targets/{name}/statements/"), None, name)
        _assert_refused(api.get(f"/api/v1/targets/{name}/alerts/"), None, name)
    for method in ("post", "delete"):
        response = getattr(api.client, method)(f"/api/v1/targets/{target.name}/backends/{'9' * 30}/cancel/")
        assert 400 <= response.status_code < 500
    for number in bad_numbers:
        _assert_refused(api.post(f"/api/v1/alerts/{number}/acknowledge/", {}), None, number)


def test_it_answers_unknown_paths_and_methods_in_the_api_shape(pg18_db: TargetDb, viewer: User,
                                                               api_as: ApiAs) -> None:
    target = pg18_db.make_target()
    api = api_as(viewer)
    missing = api.get("/api/v1/nothing-here/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    for method in ("put", "patch", "delete", "options"):
        response = getattr(api.client, method)(f"/api/v1/targets/{target.name}/statements/")
        assert response.status_code == 405, method
        assert response.json()["error"]["code"] == "method_not_allowed"


def test_it_walks_every_get_operation_with_query_parameters(viewer: User, api_as: ApiAs) -> None:
    """The hostile walk above covers every GET the schema declares with query parameters."""
    schema = api_as(viewer).get("/api/v1/schema/").json()
    declared = {path for path, item in schema["paths"].items()
                if any(p["in"] == "query" for p in item.get("get", {}).get("parameters", []))}
    walked = {re.sub(r"/[0-9]+/", "/{n}/", path.replace("{t}", "{name}")) for path, _q in ENDPOINTS}
    assert {re.sub(r"\{(seq|incident|id)\}", "{n}", p) for p in declared} == walked
