"""The review pages on a real planted target: lists, the detail permalink with its evidence and charts,
decisions (reviewers only), drafts with downloads — and no per-row queries."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advisor.models import Recommendation, Status
from dbconsole.models import AuditEvent
from tests.advisor.planted_shop import Planted, planted_shop
from tests.support.web import post

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


@pytest.fixture(scope="module", params=[18], ids=["pg18"])
def planted(request: pytest.FixtureRequest, django_db_setup: Any, django_db_blocker: Any) -> Iterator[Planted]:
    yield from planted_shop(request, django_db_blocker)


def detail_url(rec: Recommendation) -> str:
    return reverse("advisor-detail", args=[rec.target.name, rec.pk])


def test_it_list_shows_every_recommendation_without_a_query_per_row(
        planted: Planted, viewer: User, client_for: ClientFor, django_assert_max_num_queries: Any) -> None:
    client = client_for(viewer)
    url = reverse("advisor", args=[planted.target.name])
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for rec in planted.outcome.recommendations:
        assert detail_url(rec) in html
    assert html.count('class="badge unverified"') >= 2  # PG 18 has no HypoPG: the index advice says so
    assert "Draft a migration" not in html  # viewers cannot make drafts
    # What the index advice considered, planned and skipped, and the rules that could not see.
    workload = planted.outcome.run.workload
    assert (f"{workload['considered']} statements of the window considered, {workload['planned']} planned, "
            f"{workload['skipped']} skipped") in html
    assert "dbconsole&#x27;s own statement" in html
    assert html.count('<span class="state unknown">unknown</span>') >= 2   # memory and storage: no machine facts


def test_it_list_filters_sorts_and_exports(planted: Planted, viewer: User, client_for: ClientFor) -> None:
    client = client_for(viewer)
    url = reverse("advisor", args=[planted.target.name])
    html = client.get(url, {"kind": "Sequence near overflow"}).content.decode()
    assert "tickets_id_seq" in html and "customers_last_login_idx" not in html
    html = client.get(url, {"severity": "critical"}).content.decode()
    assert html.count('data-severity="critical"') == 1
    export = client.get(url, {"csv": "1", "sort": "-last_seen_at"})
    assert export["Content-Disposition"].startswith("attachment;")
    rows = export.content.decode().strip().splitlines()
    assert rows[0].startswith("Severity,Kind,Object")
    assert len(rows) == 1 + len(planted.outcome.recommendations)


def test_it_fleet_page_lists_recommendations_of_every_target(
        planted: Planted, viewer: User, client_for: ClientFor, django_assert_max_num_queries: Any) -> None:
    client = client_for(viewer)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("advisor-fleet"))
    html = page.content.decode()
    assert page.status_code == 200 and f'href="/t/{planted.target.name}/advisor/"' in html


def test_it_detail_page_is_a_permalink_with_evidence(planted: Planted, viewer: User, client_for: ClientFor,
                                                      django_assert_max_num_queries: Any) -> None:
    rec = planted.starting("missing_index", "public.orders (customer_id")
    client = client_for(viewer)
    with django_assert_max_num_queries(10):
        page = client.get(detail_url(rec))
    html = page.content.decode()
    assert page.status_code == 200
    assert "FROM orders WHERE customer_id = $1" in html
    assert "unverified" in html and "HypoPG" in html
    assert 'data-action="accept"' not in html  # viewers read only
    assert f'href="{detail_url(rec)}"' in html  # the permalink
    wrong_target = reverse("advisor-detail", args=["no-such-target", rec.pk])
    assert client.get(wrong_target).status_code == 404


def test_it_each_chart_of_the_evidence_has_its_own_endpoint(planted: Planted, viewer: User,
                                                         client_for: ClientFor) -> None:
    client = client_for(viewer)
    drawn = 0
    for rec in planted.outcome.recommendations:
        for chart in rec.evidence.get("charts", []):
            response = client.get(reverse("advisor-chart", args=[rec.target.name, rec.pk, chart["name"]]))
            assert response.status_code == 200, (rec.kind, chart["name"], response.content[:300])
            figure = json.loads(response.content)
            assert figure["data"] and figure["layout"]
            drawn += 1
    assert drawn >= 5
    rec = planted.recs("not_valid_constraint")[0]
    assert client.get(reverse("advisor-chart", args=[rec.target.name, rec.pk, "table-tuples"])).status_code == 404


def test_it_viewers_cannot_decide_even_by_forcing_the_post(planted: Planted, viewer: User,
                                                        client_for: ClientFor) -> None:
    rec = planted.recs("unused_index")[0]
    client = client_for(viewer)
    url = reverse("advisor-decide", args=[rec.target.name, rec.pk])
    assert post(client, url, {"action": "accept"}).status_code == 403
    assert post(client, reverse("advisor-comment", args=[rec.target.name, rec.pk]), {"text": "hi"}).status_code == 403
    rec.refresh_from_db()
    assert rec.status == Status.OPEN
    assert not AuditEvent.objects.filter(action__startswith="advisor.").exclude(action="advisor.run").exists()


def test_it_reviewer_accepts_through_htmx_and_it_is_audited(planted: Planted, reviewer: User,
                                                           client_for: ClientFor) -> None:
    rec = planted.recs("unused_index")[0]
    client = client_for(reviewer)
    response = post(client, reverse("advisor-decide", args=[rec.target.name, rec.pk]),
                    {"action": "accept", "comment": "not used by the nightly job either"},
                    HTTP_HX_REQUEST="true", HTTP_HX_TARGET="review")
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section class="card" id="review">')
    assert 'data-status="accepted"' in html and "not used by the nightly job either" in html
    event = AuditEvent.objects.get(action="advisor.accept")
    assert event.actor == reviewer and event.target == planted.target
    assert event.details["recommendation"] == rec.pk


def test_it_dismissal_needs_a_reason_and_a_snooze_a_future_date(planted: Planted, reviewer: User,
                                                               client_for: ClientFor) -> None:
    rec = planted.recs("invalid_index")[0]
    client = client_for(reviewer)
    url = reverse("advisor-decide", args=[rec.target.name, rec.pk])
    refused = post(client, url, {"action": "dismiss"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="review")
    assert refused.status_code == 400 and "needs a reason" in refused.content.decode()
    refused = post(client, url, {"action": "snooze", "until": "2001-01-01"})
    assert refused.status_code == 400 and "in the future" in refused.content.decode()
    refused = post(client, url, {"action": "snooze", "until": (dt.date.today() + dt.timedelta(days=400)).isoformat()})
    assert refused.status_code == 400 and "at most a year" in refused.content.decode()
    until = dt.date.today() + dt.timedelta(days=30)
    done = post(client, url, {"action": "snooze", "until": until.isoformat()})
    assert done.status_code == 302 and done["Location"] == detail_url(rec)
    rec.refresh_from_db()
    assert rec.status == Status.SNOOZED and rec.snoozed_until is not None
    assert timezone.localtime(rec.snoozed_until).date() == until


def test_it_comments_go_into_the_history(planted: Planted, reviewer: User, client_for: ClientFor) -> None:
    rec = planted.recs("table_bloat")[0]
    client = client_for(reviewer)
    post(client, reverse("advisor-comment", args=[rec.target.name, rec.pk]), {"text": "repack on Sunday"})
    html = client.get(detail_url(rec)).content.decode()
    assert "repack on Sunday" in html and "rita-reviewer" in html
    assert AuditEvent.objects.filter(action="advisor.comment", details__comment="repack on Sunday").exists()


def test_it_reviewer_gets_a_draft_with_copy_buttons_and_downloads(planted: Planted, reviewer: User,
                                                                 client_for: ClientFor) -> None:
    fk = planted.recs("fk_without_index")[0]
    unused = planted.recs("unused_index")[0]
    wraparound_free = planted.recs("config_checkpoints")[0]  # advice, not a migration
    client = client_for(reviewer)
    for rec in (fk, unused):
        post(client, reverse("advisor-decide", args=[rec.target.name, rec.pk]), {"action": "accept"})
    url = reverse("advisor-draft", args=[planted.target.name])
    query: dict[str, Any] = {"r": [fk.pk, unused.pk, wraparound_free.pk]}
    page = client.get(url, query)
    html = page.content.decode()
    assert page.status_code == 200
    assert "CREATE INDEX CONCURRENTLY IF NOT EXISTS" in html and "DROP INDEX CONCURRENTLY" in html
    assert html.count('data-copy="#text-') == 4 and 'id="part-lint"' in html
    assert "accept it first" in html  # the checkpoint advice was not accepted (and is no migration)
    download = client.get(url, {**query, "download": "sql"})
    assert download["Content-Disposition"] == 'attachment; filename="fk_index_payments_order_id_idx_and_1_more.sql"'
    assert b"CREATE INDEX CONCURRENTLY IF NOT EXISTS" in download.content
    rollback = client.get(url, {**query, "download": "rollback"})
    assert b"DROP INDEX CONCURRENTLY" in rollback.content
    alembic = client.get(url, {**query, "download": "alembic"})
    assert alembic["Content-Type"].startswith("text/x-python") and b"def downgrade()" in alembic.content


def test_it_viewers_cannot_make_drafts(planted: Planted, viewer: User, client_for: ClientFor) -> None:
    rec = planted.recs("fk_without_index")[0]
    url = reverse("advisor-draft", args=[planted.target.name])
    assert client_for(viewer).get(url, {"r": rec.pk}).status_code == 403


def test_it_detail_of_an_unknown_names_the_fix(planted: Planted, viewer: User, client_for: ClientFor) -> None:
    rec = planted.one("cannot_evaluate", "config_memory")
    page = client_for(viewer).get(detail_url(rec))
    html = page.content.decode()
    assert page.status_code == 200
    assert "the machine&#x27;s RAM is unknown" in html and f"/t/{planted.target.name}/advisor/machine/" in html
    assert 'data-severity="unknown"' in html or ">unknown<" in html
