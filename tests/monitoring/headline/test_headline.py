"""The overview headline and the fleet badge summarise the selected range: current checks plus the lock
incidents of the range, open advisor findings and collector problems, each linking to its page.
"Nothing needs attention" is said only when that is true."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advisor.models import AdvisorRun
from monitoring.headline import base
from monitoring.headline.base import Context, Contributor, Item
from monitoring.models import LockIncident, Target
from tests.monitoring.views.history_data import EVERYTHING, collect, lock_incident
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db


def _item(body: str, key: str) -> str:
    """One item of the overview's headline (its lines included) or of a fleet row's problems."""
    match = (re.search(rf'<li class="headline-item [^"]*" data-item="{key}".*?</div>\s*</li>', body, re.S)
             or re.search(rf'<div class="problem [^"]*" data-item="{key}".*?</div>', body, re.S))
    assert match, f"no headline item {key}"
    return match.group(0)


def _status(body: str, key: str) -> str:
    found = re.search(rf'data-item="{key}" data-status="(\w+)"', body)
    assert found, f"no headline item {key}"
    return found.group(1)


def calm(target: Target) -> None:
    """Everything collected, the advisor ran and found nothing: no reason for attention."""
    collect(target, *EVERYTHING, "locks")
    now = timezone.now()
    AdvisorRun.objects.create(target=target, started_at=now, finished_at=now, status="ok")


def test_it_says_nothing_needs_attention_only_when_nothing_does(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    url = reverse("overview-health", args=[target.name])
    body = client.get(url).content.decode()                  # nothing collected yet: we cannot see anything
    assert "Nothing needs attention" not in body
    assert _status(body, "check:wraparound") == "unknown" and _status(body, "locks") == "unknown"
    assert _status(body, "advisor:run") == "unknown"
    assert f"manage.py advise --target {target.name}" in _item(body, "advisor:run")

    calm(target)
    body = client.get(url).content.decode()
    assert "Nothing needs attention" in body and 'data-headline="ok"' in body, re.findall(r'data-item="[^"]+"', body)


def test_it_shows_a_lock_chain_of_the_range_that_is_gone_now(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target(thresholds={"lock_wait_seconds": {"warning": 0.1, "critical": 600}})
    calm(target)
    chain = lock_incident(target_db, target, samples=3)
    incident = LockIncident.objects.get(target=target)
    body = client_for(viewer).get(reverse("overview-health", args=[target.name]), {"range": "1h"}).content.decode()

    # The chain is over: the sessions waiting now are none, the check says ok …
    assert re.search(r'data-check="blocked" data-status="ok"', body)
    # … but the headline over the hour lists the incident, its longest wait and root blocker, linked to
    # the replay of the incident (keeping the range).
    assert "Nothing needs attention" not in body
    locks = _item(body, "locks")
    assert _status(body, "locks") == "warning"
    assert "1 lock incident in the last 1h; longest wait" in locks and f"behind pid {chain.holder_pid}" in locks
    replay = reverse("lock-incident", args=[target.name, incident.pk])
    assert f'href="{replay}?range=1h"' in locks
    assert f'href="{reverse("locks", args=[target.name])}?range=1h"' in locks
    assert "1 thing needs attention" in body


def test_it_grades_the_fleet_badge_as_the_worst_of_the_same_headline(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    locked = target_db.make_target("locked-db", thresholds={"lock_wait_seconds": {"warning": 0.1, "critical": 600}})
    calm(locked)
    lock_incident(target_db, locked, samples=2)
    quiet = target_db.make_target("quiet-db")
    calm(quiet)
    body = client_for(viewer).get(reverse("fleet"), {"range": "6h"}).content.decode()
    rows = {name: re.search(rf'<tr data-target="{name}">.*?</tr>', body, re.S) for name in ("locked-db", "quiet-db")}
    locked_row, quiet_row = (m.group(0) if m else "" for m in rows.values())
    assert 'data-health="warning"' in locked_row
    assert _status(locked_row, "locks") == "warning" and "/t/locked-db/locks/incidents/" in locked_row
    assert 'data-health="ok"' in quiet_row and 'data-item="locks"' not in quiet_row
    assert "health over the last 6h" in body


class Broken(Contributor):
    name = "broken"

    def items(self, ctx: Context) -> dict[int, list[Item]]:
        raise RuntimeError("this source is broken")


@pytest.fixture
def broken_contributor() -> Iterator[None]:
    base.register(Broken())
    try:
        yield
    finally:
        base._REGISTRY.pop("broken")


def test_it_shows_a_failing_source_as_unknown_and_still_renders(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client], broken_contributor: None,
) -> None:
    target = target_db.make_target()
    calm(target)
    client = client_for(viewer)
    body = client.get(reverse("overview-health", args=[target.name])).content.decode()
    assert _status(body, "broken:failed") == "unknown" and "Nothing needs attention" not in body
    assert client.get(reverse("fleet")).status_code == 200
