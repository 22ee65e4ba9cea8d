"""The EXPLAIN page: operators paste SQL, everything is audited, viewers cannot run it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dbconsole.models import AuditEvent
from monitoring.models import Target
from tests.support.targets import MONITOR_ROLE, TargetDb
from tests.support.web import post

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(target_db: TargetDb) -> Target:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE items (id int PRIMARY KEY, sku text)")
        conn.execute("INSERT INTO items SELECT g, 'sku-' || g FROM generate_series(1, 3000) g")
        conn.execute("ANALYZE items")
        conn.execute(f"GRANT SELECT, DELETE ON items TO {MONITOR_ROLE}")
    return target_db.make_target()


def test_it_viewer_sees_the_page_without_the_form_and_gets_403_posting(
    shop: Target, viewer: User, client_for: Callable[[User], Client],
) -> None:
    client = client_for(viewer)
    page = client.get(reverse("explain", args=[shop.name])).content.decode()
    assert "needs the operator role" in page and "<textarea" not in page
    assert post(client, reverse("explain-run", args=[shop.name]), {"sql": "SELECT 1"}).status_code == 403
    assert not AuditEvent.objects.exclude(action__startswith="login.").exists()


def test_it_operator_gets_a_readable_plan_and_the_run_is_audited(
    shop: Target, operator: User, client_for: Callable[[User], Client],
) -> None:
    response = post(client_for(operator), reverse("explain-run", args=[shop.name]),
                    {"sql": "SELECT * FROM items WHERE sku = 'sku-7'"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'data-node="Seq Scan"' in body and "Seq Scan on items" in body
    assert "Where the cost goes" in body
    event = AuditEvent.objects.get(action="explain.run")
    assert event.actor == operator and event.target_name == shop.name
    assert event.details["sql"] == "SELECT * FROM items WHERE sku = 'sku-7'" and event.details["ok"] is True


def test_it_analyze_of_a_delete_asks_first_then_runs_rolled_back_and_is_audited(
    target_db: TargetDb, shop: Target, operator: User, client_for: Callable[[User], Client],
) -> None:
    client = client_for(operator)
    url = reverse("explain-run", args=[shop.name])
    asked = post(client, url, {"sql": "DELETE FROM items", "analyze": "on"}, HTTP_HX_REQUEST="true")
    assert 'data-error="confirm"' in asked.content.decode()
    assert not AuditEvent.objects.exclude(action__startswith="login.").exists()  # nothing ran
    ran = post(client, url, {"sql": "DELETE FROM items", "analyze": "on", "confirm_writes": "on"},
               HTTP_HX_REQUEST="true").content.decode()
    assert "EXPLAIN ANALYZE" in ran and "ran writable, confirmed" in ran
    event = AuditEvent.objects.get(action="explain.analyze")
    assert event.details["confirmed_writes"] is True and event.details["kind"] == "DELETE"
    with target_db.connect() as conn:
        row = conn.execute("SELECT count(*) FROM items").fetchone()
    assert row is not None and row[0] == 3000


def test_it_bad_input_gets_a_clear_error_and_the_form_keeps_the_text(
    shop: Target, operator: User, client_for: Callable[[User], Client],
) -> None:
    response = post(client_for(operator), reverse("explain-run", args=[shop.name]),
                    {"sql": "SELECT 1; DELETE FROM items"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "paste exactly one statement (found 2)" in body
    assert "SELECT 1; DELETE FROM items</textarea>" in body


def test_it_failed_explain_is_audited_with_the_reason(
    shop: Target, operator: User, client_for: Callable[[User], Client],
) -> None:
    body = post(client_for(operator), reverse("explain-run", args=[shop.name]),
                {"sql": "SELECT * FROM missing_table"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'relation &quot;missing_table&quot; does not exist' in body
    event = AuditEvent.objects.get(action="explain.run")
    assert event.details["ok"] is False and "missing_table" in event.details["error"]
