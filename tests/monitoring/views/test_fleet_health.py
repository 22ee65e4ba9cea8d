"""The fleet page (``/targets/``): per target the worst health check, the last collection and the failing
collectors with reason and hint — from history only, in the same few queries for any number of targets."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from monitoring.collectors.runner import run
from tests.monitoring.views.history_data import EVERYTHING, collect, near_overflow_sequences
from tests.support.targets import MONITOR_PASSWORD, TargetDb

pytestmark = pytest.mark.django_db

# Session, user, groups, targets, collector statuses, health inputs; the headline: lock incidents, open advisor
# findings, the last advisor runs.
FLEET_QUERIES = 9


def _row(body: str, name: str) -> str:
    match = re.search(rf'<tr data-target="{name}">.*?</tr>', body, re.S)
    assert match, f"no row for {name}"
    return match.group(0)


def _health(row: str) -> str:
    found = re.search(r'data-health="(\w+)"', row)
    assert found
    return found.group(1)


def test_it_each_target_shows_its_worst_check_last_collection_and_failing_collectors(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    near_overflow_sequences(target_db)
    risky = target_db.make_target("risky-db")
    collect(risky, *EVERYTHING)
    broken = target_db.make_target("broken-db")
    broken.set_password("wrong-password-1")
    broken.save()
    for name in ("database", "activity", "settings"):
        assert not run(broken, name).ok
    target_db.make_target("fresh-db")
    body = client_for(viewer).get(reverse("fleet")).content.decode()

    risky_row = _row(body, "risky-db")
    assert _health(risky_row) == "critical"
    assert 'data-item="check:sequences"' in risky_row and "public.badges_id_seq" in risky_row
    assert re.search(r'<td class="num"><span title="[^"]+">0\xa0minutes ago</span></td>', risky_row)
    assert 'class="errors"><span class="muted">—</span>' in risky_row

    broken_row = _row(body, "broken-db")
    # Refused by its password: we cannot see it (unknown, with the fix), which is not the same as down.
    assert _health(broken_row) == "unknown" and 'data-item="check:collectors"' in broken_row
    assert "3 failing" in broken_row and "auth_failed" in broken_row
    for name in ("database", "activity", "settings"):
        item = re.search(rf'<li data-collector="{name}">.*?</li>', broken_row, re.S)
        assert item and "password authentication failed" in item.group(0)
        assert "fix: check the password stored for this target" in item.group(0)
    assert "never" in broken_row                                   # no collection ever succeeded

    fresh_row = _row(body, "fresh-db")
    assert _health(fresh_row) == "unknown" and "not collected yet" in fresh_row
    assert "wrong-password-1" not in body and MONITOR_PASSWORD not in body


def test_it_worst_sort_first_and_the_problems_export_as_csv(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    near_overflow_sequences(target_db)
    risky = target_db.make_target("a-risky")
    collect(risky, "sequences")
    calm = target_db.make_target("b-calm")
    collect(calm, "relations")
    client = client_for(viewer)
    body = client.get(reverse("fleet"), {"sort": "-health"}).content.decode()
    assert body.index('data-target="a-risky"') < body.index('data-target="b-calm"')
    body = client.get(reverse("fleet"), {"sort": "health"}).content.decode()
    assert body.index('data-target="b-calm"') < body.index('data-target="a-risky"')
    exported = client.get(reverse("fleet"), {"csv": "1"}).content.decode()
    rows = {r[0]: r for r in csv.reader(io.StringIO(exported))}
    header = rows["Name"]
    problems = header.index("Problems")
    # Worst first; what was never collected is listed too (unknown needs attention, it is never ok).
    assert rows["a-risky"][problems].startswith("critical: Sequence overflow, ")
    assert "Wraparound age" in rows["a-risky"][problems]
    assert rows["b-calm"][problems].startswith("unknown: ") and "Sequence overflow" in rows["b-calm"][problems]
    searched = client.get(reverse("fleet"), {"q": "critical: sequence overflow"}).content.decode()
    assert 'data-target="a-risky"' in searched and 'data-target="b-calm"' not in searched


def test_it_fleet_costs_the_same_for_one_or_many_targets(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client], django_assert_max_num_queries: Any,
) -> None:
    client = client_for(viewer)
    first = target_db.make_target("fleet-0")
    collect(first, "database", "sequences", "relations")
    with django_assert_max_num_queries(FLEET_QUERIES):
        assert client.get(reverse("fleet")).content.decode().count("<tr data-target=") == 1
    for i in range(1, 6):
        more = target_db.make_target(f"fleet-{i}")
        collect(more, "database", "sequences")
    with django_assert_max_num_queries(FLEET_QUERIES):
        assert client.get(reverse("fleet")).content.decode().count("<tr data-target=") == 6
