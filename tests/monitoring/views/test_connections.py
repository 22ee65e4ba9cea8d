"""Connections now: counted by state, database, user, application and client against usable slots."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from monitoring.live.connections import summarize
from monitoring.pgstats.activity import read_activity
from monitoring.targets.connect import connect
from tests.monitoring.views.conftest import AppSession
from tests.support.targets import TargetDb
from tests.support.workload import blocking_chain

pytestmark = pytest.mark.django_db


def test_it_counts_connections_by_every_dimension(target_db: TargetDb) -> None:
    target = target_db.make_target()
    with blocking_chain(target_db, waiters=2), connect(target) as conn:
        summary = summarize(read_activity(conn, target_db.major))
    apps = {r.value: r for r in summary.breakdowns["application_name"]}
    assert apps["chain-holder"].idle_in_transaction == 1
    assert apps["chain-waiter-1"].active == 1 and apps["chain-waiter-2"].active == 1
    by_db = {r.value: r.total for r in summary.breakdowns["datname"]}
    assert by_db[target_db.dbname] >= 3
    assert summary.by_state["idle in transaction"] >= 1 and summary.by_state["active"] >= 2
    assert summary.usable == 200 - summary.reserved
    assert sum(summary.by_state.values()) == summary.clients
    assert 0 < summary.saturation < 1


def test_it_renders_the_breakdowns_and_exports_one_as_csv(
    target_db: TargetDb, app_session: AppSession, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    url = reverse("connections", args=[target.name])
    body = client.get(url).content.decode()
    assert 'data-metric="clients">' in body
    for heading in ("By state", "By database", "By user", "By application", "By client"):
        assert heading in body
    assert app_session.role in body and "billing-worker" in body
    exported = client.get(url, {"csv": "usename", "usename-q": app_session.role})
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0][:2] == ["User", "Connections"]
    assert rows[1][:3] == [app_session.role, "1", "1"]
    assert len(rows) == 2


def test_it_each_breakdown_sorts_on_its_own(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    url = reverse("connections", args=[target.name])
    with blocking_chain(target_db, waiters=1):
        body = client_for(viewer).get(url, {"application_name-sort": "value"}).content.decode()
    apps = body.split("By application", 1)[1].split("</table>", 1)[0]
    assert apps.index("chain-holder") < apps.index("chain-waiter-1")
    # The other tables keep their own (default) order and links keep the first table's parameter.
    assert "application_name-sort=value" in body.split("By user", 1)[1]
