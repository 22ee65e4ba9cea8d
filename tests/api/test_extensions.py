"""The extension points the alerts app will use: an installed app naming ``api_urls`` on its AppConfig
gets its endpoints under ``/api/v1/<label>/`` with the API's authentication, roles and error shape, and
its ``api_metric_families`` join ``/metrics`` — while the API imports nothing of it."""

from __future__ import annotations

import importlib
import types
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import clear_url_caches, include, path

import api.urls
from tests.api.conftest import Api, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def installed() -> Iterator[None]:
    """The app installed and the API's URLs built again (as at a start with it), in a URL map of their own:
    the project's resolvers keep what they resolved before."""
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "tests.api.extension_app"]):
        importlib.reload(api.urls)
        root = types.ModuleType("extension_root_urls")
        root.urlpatterns = [path("", include("api.urls"))]  # type: ignore[attr-defined]
        with override_settings(ROOT_URLCONF=root):
            clear_url_caches()
            yield
    importlib.reload(api.urls)
    clear_url_caches()


def test_it_mounts_an_installed_apps_api_urls_with_the_api_rules(installed: None, viewer: User, db: Any) -> None:
    from monitoring.models import Target

    Target.objects.create(name="ext-1", host="127.0.0.1", port=1, dbname="x", username="x")
    answer = Api(token_for(viewer)).get("/api/v1/firing/firing/")
    assert answer.status_code == 200 and answer.json() == {"targets": 1, "user": viewer.username}
    refused = Client().get("/api/v1/firing/firing/")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "not_authenticated"


def test_it_adds_an_installed_apps_metric_families(installed: None, viewer: User) -> None:
    from monitoring.models import Target

    Target.objects.create(name="ext-22", host="127.0.0.1", port=1, dbname="x", username="x")
    body = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token_for(viewer)}").content.decode()
    assert 'dbconsole_alerts_firing{severity="critical",target="ext-22"} 2.0' in body


def test_it_exports_no_alert_family_without_such_an_app(viewer: User) -> None:
    body = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token_for(viewer)}").content.decode()
    assert "dbconsole_alerts_firing" not in body
