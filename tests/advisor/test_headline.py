"""Open advisor findings on the overview headline and the fleet badge, by category and severity, each
linking to its page — plugged into monitoring's headline registry from ``AdvisorConfig.ready`` (the
import contract forbids monitoring to import the advisor; ``make lint`` checks it)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advisor.headline import AdvisorFindings
from advisor.models import AdvisorRun, Recommendation
from advisor.review.lifecycle import apply_findings
from advisor.rules.findings import Finding
from dbconsole.timerange import TimeRange
from monitoring.headline.base import Context, Item, contributors
from monitoring.models import Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def target() -> Target:
    # Port 1: nothing listens there; the headline reads the history store only.
    t = Target(name="shop", host="127.0.0.1", port=1, dbname="shop", username="mon")
    t.set_password("x")
    t.save()
    return t


def finding(kind: str, name: str, severity: str) -> Finding:
    return Finding(kind=kind, object_key=f"public.{name}", object_label=f"public.{name}", severity=severity,
                   title=f"{kind.replace('_', ' ')} {name}", material={"name": name}, evidence={})


def advise(target: Target, *findings: tuple[str, Finding], status: str = "ok", message: str = "") -> AdvisorRun:
    now = timezone.now()
    run = AdvisorRun.objects.create(target=target, started_at=now, finished_at=now, status=status, message=message)
    apply_findings(target, run, findings, {f.kind for _, f in findings}, now)
    return run


def items_of(target: Target) -> dict[str, Item]:
    ctx = Context(targets=[target], time_range=TimeRange.last("24h"), at=timezone.now())
    return {i.key: i for i in AdvisorFindings().items(ctx)[target.pk]}


def test_it_is_registered_by_the_advisor_app() -> None:
    assert "advisor" in {c.name for c in contributors()}


def test_it_lists_open_findings_by_category_graded_by_the_worst(target: Target) -> None:
    advise(target, ("indexes", finding("missing_index", "orders_customer", "critical")),
           ("indexes", finding("unused_index", "orders_old_idx", "warning")),
           ("indexes", finding("unused_index", "orders_tiny_idx", "info")),
           ("configuration", finding("config_work_mem", "work_mem", "info")))
    found = items_of(target)
    indexes = found["advisor:indexes"]
    assert indexes.status == "critical"
    assert indexes.summary == "3 open: 1 critical, 1 warning, 1 info"
    assert indexes.url == "/t/shop/advisor/?status=open"
    first = indexes.lines[0]
    rec = Recommendation.objects.get(object_key="public.orders_customer")
    assert first.url == reverse("advisor-detail", args=["shop", rec.pk]) and first.status == "critical"
    assert found["advisor:configuration"].status == "ok"
    assert "advisor:run" not in found


def test_it_counts_only_open_findings(target: Target, reviewer: User) -> None:
    advise(target, ("indexes", finding("unused_index", "orders_old_idx", "warning")))
    Recommendation.objects.update(status="dismissed")
    found = items_of(target)
    assert list(found) == ["advisor:run"] and found["advisor:run"].status == "ok"


def test_it_is_unknown_before_the_first_run_and_after_a_failed_one(target: Target) -> None:
    assert items_of(target)["advisor:run"].status == "unknown"
    advise(target, status="failed", message="the history store has no relations collection")
    item = items_of(target)["advisor:run"]
    assert item.status == "unknown" and "no relations collection" in item.summary
    assert "manage.py advise --target shop" in item.fix


def test_it_shows_on_the_overview_headline_and_the_fleet(
    target: Target, viewer: User, client_for: Callable[[User], Client],
) -> None:
    advise(target, ("indexes", finding("missing_index", "orders_customer", "warning")))
    client = client_for(viewer)
    body = client.get(reverse("overview-health", args=[target.name])).content.decode()
    item = re.search(r'<li class="headline-item [^"]*" data-item="advisor:indexes".*?</div>\s*</li>', body, re.S)
    assert item and 'data-status="warning"' in item.group(0)
    rec = Recommendation.objects.get()
    assert f'href="{reverse("advisor-detail", args=["shop", rec.pk])}"' in item.group(0)
    fleet = client.get(reverse("fleet")).content.decode()
    assert 'data-item="advisor:indexes" data-status="warning"' in fleet
