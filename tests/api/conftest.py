"""Fixtures of the API tests: tokens for the personas, a client that sends them, the real scene.

Every API test counts its rate limits in the suite's own Redis (never in a Redis some other process
left on the default port).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, override_settings

from api.tokens import create_token
from dbconsole.embedded.redisserver import RedisServer
from tests.api.scene import Scene, build


@pytest.fixture(autouse=True)
def _api_cache(redis_server: RedisServer) -> Iterator[None]:
    caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
              "api": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_server.url,
                      "KEY_PREFIX": "dbconsole-api-test"}}
    # Tests make hundreds of calls a minute; the rate limit test sets its own rates.
    rates = {"api": "100000/minute", "api_write": "100000/minute"}
    framework = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    with override_settings(CACHES=caches, REST_FRAMEWORK=framework):
        yield


_numbers = itertools.count(1)


def token_for(user: User, name: str = "") -> str:
    return create_token(user, name=name or f"test token {next(_numbers)}", expires=None).secret


class Api:
    """Django's test client speaking to the API with a bearer token (or none)."""

    def __init__(self, token: str | None = None) -> None:
        # Every request of this client carries the token (Django's Client takes default headers as environ).
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {token}") if token else Client()

    def get(self, path: str, params: dict[str, Any] | None = None, **extra: Any) -> Any:
        return self.client.get(path, params or {}, **extra)

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        return self.client.post(path, json.dumps(body if body is not None else {}), content_type="application/json",
                                **extra)

    def delete(self, path: str, **extra: Any) -> Any:
        return self.client.delete(path, **extra)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        if method == "GET":
            return self.get(path)
        if method == "DELETE":
            return self.delete(path)
        return self.post(path, body)


@pytest.fixture
def api_as() -> Any:
    def make(user: User | None) -> Api:
        return Api(token_for(user) if user is not None else None)

    return make


@pytest.fixture(scope="package", params=[15, 18], ids=["pg15", "pg18"])
def scene(request: pytest.FixtureRequest, django_db_setup: Any, django_db_blocker: Any) -> Iterator[Scene]:
    """The planted, collected, advised target on each major, built once for the package."""
    cluster = request.getfixturevalue(f"pg{request.param}_cluster")
    with django_db_blocker.unblock():
        yield from build(cluster)
