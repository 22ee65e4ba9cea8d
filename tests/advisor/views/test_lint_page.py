"""The paste-a-migration lint page: anyone signed in, nothing stored, each statement's lock and the
unsafe patterns with their safe alternatives; htmx gets the report alone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dbconsole.models import AuditEvent
from tests.support.web import post

pytestmark = pytest.mark.django_db
UNSAFE = """
ALTER TABLE orders ADD COLUMN note text DEFAULT random()::text;
CREATE INDEX orders_note_idx ON orders (note);
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
"""


def test_it_viewer_lints_a_pasted_migration(viewer: User, client_for: Callable[[User], Client]) -> None:
    client = client_for(viewer)
    url = reverse("advisor-lint")
    audited = AuditEvent.objects.count()
    assert client.get(url).status_code == 200
    html = post(client, url, {"sql": UNSAFE}).content.decode()
    for rule in ("volatile-default", "create-index-not-concurrent", "foreign-key-without-not-valid",
                 "missing-lock-timeout"):
        assert f'data-rule="{rule}"' in html, rule
    assert "ACCESS EXCLUSIVE" in html and "SHARE" in html
    assert "Safe alternative" in html and "CREATE INDEX CONCURRENTLY" in html
    assert "— blocks writes (INSERT/UPDATE/DELETE); reads continue" in html and "blocks blocks" not in html
    assert AuditEvent.objects.count() == audited  # nothing changed, nothing to audit


def test_it_htmx_gets_only_the_report(viewer: User, client_for: Callable[[User], Client]) -> None:
    response = post(client_for(viewer), reverse("advisor-lint"),
                    {"sql": "CREATE INDEX CONCURRENTLY i ON t (c);"}, HTTP_HX_REQUEST="true",
                    HTTP_HX_TARGET="lint-result")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="lint-result">') and "<html" not in html
    assert 'data-worst="none"' in html or 'data-worst="info"' in html


def test_it_sql_that_does_not_parse_is_reported_not_crashed_on(viewer: User,
                                                            client_for: Callable[[User], Client]) -> None:
    response = post(client_for(viewer), reverse("advisor-lint"), {"sql": "ALTER TABLE ;; SELEC 1"})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-rule="parse-error"' in html


def test_it_empty_paste_is_a_form_error(viewer: User, client_for: Callable[[User], Client]) -> None:
    response = post(client_for(viewer), reverse("advisor-lint"), {"sql": ""})
    assert response.status_code == 400 and "required" in response.content.decode()
