"""The locks page: the live tree with the root blocker first, a poller that waits for a change, and the
same partial replaying a stored tree."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from monitoring.live.locks import flatten
from monitoring.pgstats.locks import read_locks
from monitoring.targets.connect import connect
from tests.support.targets import TargetDb
from tests.support.workload import blocking_chain

pytestmark = pytest.mark.django_db


def _pids_in_order(body: str) -> list[int]:
    return [int(p) for p in re.findall(r'<tr class="(?:root|waiter)" data-pid="(\d+)"', body)]


def test_it_draws_the_chain_under_its_root_blocker(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    with blocking_chain(target_db, waiters=2) as chain:
        body = client_for(viewer).get(reverse("locks", args=[target.name])).content.decode()
    assert f'data-root-pid="{chain.holder_pid}"' in body
    assert _pids_in_order(body) == [chain.holder_pid, *chain.waiter_pids]
    root_row = body.split(f'<tr class="root" data-pid="{chain.holder_pid}"', 1)[1].split("</tr>", 1)[0]
    assert "root blocker" in root_row and "idle in transaction" in root_row
    assert "UPDATE chain_demo SET v = v + 1 WHERE id = 1" in root_row  # the blocker's query
    first = body.split(f'data-pid="{chain.waiter_pids[0]}"', 1)[1].split("</tr>", 1)[0]
    assert "ShareLock" in first and "transactionid" in first and "chain_demo" in first
    assert 'data-depth="2"' in body
    assert "2 sessions waiting" in body


def test_it_says_so_when_nobody_waits(target_db: TargetDb, viewer: User, client_for: Callable[[User], Client]) -> None:
    target = target_db.make_target()
    body = client_for(viewer).get(reverse("locks", args=[target.name])).content.decode()
    assert "No session is waiting on a lock." in body


def test_it_offers_cancel_on_the_root_to_operators_only(
    target_db: TargetDb, viewer: User, operator: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    with blocking_chain(target_db, waiters=1) as chain:
        url = reverse("locks", args=[target.name])
        as_viewer = client_for(viewer).get(url).content.decode()
        as_operator = client_for(operator).get(url).content.decode()
    root_cancel = reverse("backend-cancel", args=[target.name, chain.holder_pid])
    waiter_cancel = reverse("backend-cancel", args=[target.name, chain.waiter_pids[0]])
    assert root_cancel not in as_viewer
    assert root_cancel in as_operator
    assert waiter_cancel not in as_operator  # the shortcut is on the root: that is what unblocks the rest


def test_it_its_poller_gets_204_until_the_chain_changes(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    url = reverse("locks", args=[target.name])
    poll: dict[str, Any] = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "locks-live"}
    quiet = client.get(url, **poll).content.decode()
    version = quiet.split('"X-Dbconsole-Version": "', 1)[1].split('"', 1)[0]
    assert client.get(url, HTTP_X_DBCONSOLE_VERSION=version, **poll).status_code == 204
    with blocking_chain(target_db, waiters=1) as chain:
        changed = client.get(url, HTTP_X_DBCONSOLE_VERSION=version, **poll)
        assert changed.status_code == 200
        body = changed.content.decode()
        assert f'data-root-pid="{chain.holder_pid}"' in body
        again = body.split('"X-Dbconsole-Version": "', 1)[1].split('"', 1)[0]
        # Waits grow every second; that alone is not a change worth redrawing.
        assert client.get(url, HTTP_X_DBCONSOLE_VERSION=again, **poll).status_code == 204


def test_it_tree_partial_replays_a_stored_incident(target_db: TargetDb, viewer: User) -> None:
    target = target_db.make_target()
    with blocking_chain(target_db, waiters=2) as chain, connect(target) as conn:
        stored = read_locks(conn, target_db.major).trees[0].root.as_dict()  # what the collector keeps
    request = RequestFactory().get("/")
    request.user = viewer
    html = render_to_string("monitoring/locks/tree.html",
                            {"rows": flatten(stored), "target": target, "live": False, "can": {"operate": True}},
                            request=request)
    assert _pids_in_order(html) == [chain.holder_pid, *chain.waiter_pids]
    assert "data-age" not in html  # a replay shows the stored waits; nothing ticks
    assert reverse("backend-cancel", args=[target.name, chain.holder_pid]) not in html  # nothing to cancel
