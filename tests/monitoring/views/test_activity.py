"""The activity page: live backends, filters, CSV, polling that answers 204 when nothing changed."""

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

from tests.monitoring.views.conftest import AppSession
from tests.support.targets import TargetDb
from tests.support.workload import blocking_chain

pytestmark = pytest.mark.django_db


def test_it_lists_running_queries_with_user_application_and_wait(
    target_db: TargetDb, app_session: AppSession, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    body = client_for(viewer).get(reverse("activity", args=[target.name])).content.decode()
    row = body.split(f'data-pid="{app_session.pid}"', 1)[1].split("</tr>", 1)[0]
    assert app_session.role in row
    assert "billing-worker" in row
    assert "pg_sleep(600) /* nightly invoice run */" in row
    assert "Timeout: PgSleep" in row
    assert 'class="age" data-age="' in row  # the duration ticks in the browser


def test_it_hides_idle_and_background_backends_until_asked(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    with target_db.connect(application_name="idle-app") as idle:
        idle_pid = idle.info.backend_pid
        client = client_for(viewer)
        busy = client.get(reverse("activity", args=[target.name])).content.decode()
        link = re.search(r'<a href="([^"]*)" id="show-all">Show all</a>', busy)
        assert link is not None and link.group(1) == "?show=all"   # one "?": querystring brings its own
        everything = client.get(reverse("activity", args=[target.name]) + link.group(1)).content.decode()
    assert f'data-pid="{idle_pid}"' not in busy
    assert f'data-pid="{idle_pid}"' in everything
    assert "checkpointer" in everything


def test_it_filters_by_text_and_state_and_exports_the_same_rows_as_csv(
    target_db: TargetDb, app_session: AppSession, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    with blocking_chain(target_db, waiters=1) as chain:
        url = reverse("activity", args=[target.name])
        filtered = client.get(url, {"q": "invoice"}).content.decode()
        by_state = client.get(url, {"state": "idle in transaction"}).content.decode()
        exported = client.get(url, {"q": "invoice", "csv": "1"})
    assert f'data-pid="{app_session.pid}"' in filtered
    assert f'data-pid="{chain.holder_pid}"' not in filtered
    assert f'data-pid="{chain.holder_pid}"' in by_state
    assert f'data-pid="{app_session.pid}"' not in by_state
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0][:3] == ["PID", "For", "State"]
    assert [r[0] for r in rows[1:]] == [str(app_session.pid)]


def test_it_sorts_by_duration_longest_first_by_default(
    target_db: TargetDb, app_session: AppSession, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    with blocking_chain(target_db, waiters=1) as chain:
        # The app session started before the chain: it has been running longer than the waiter.
        body = client_for(viewer).get(reverse("activity", args=[target.name])).content.decode()
        ascending = client_for(viewer).get(reverse("activity", args=[target.name]), {"sort": "duration"})
    first, waiter = body.index(f'data-pid="{app_session.pid}"'), body.index(f'data-pid="{chain.waiter_pids[0]}"')
    assert first < waiter
    flipped = ascending.content.decode()
    assert flipped.index(f'data-pid="{chain.waiter_pids[0]}"') < flipped.index(f'data-pid="{app_session.pid}"')
    assert 'aria-sort="descending"' in body


def test_it_answers_204_to_its_poller_until_something_changes(
    target_db: TargetDb, app_session: AppSession, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    url = reverse("activity", args=[target.name])
    poll: dict[str, Any] = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "activity-live"}
    first = client.get(url, **poll)
    assert first.status_code == 200
    body = first.content.decode()
    assert "<html" not in body  # only the live region
    version = body.split('"X-Dbconsole-Version": "', 1)[1].split('"', 1)[0]

    same = client.get(url, HTTP_X_DBCONSOLE_VERSION=version, **poll)
    assert same.status_code == 204

    with target_db.connect(application_name="newcomer") as conn, conn.transaction():
        conn.execute("SELECT 1")  # idle in transaction now: shown on the page
        changed = client.get(url, HTTP_X_DBCONSOLE_VERSION=version, **poll)
    assert changed.status_code == 200
    assert "newcomer" in changed.content.decode()


def test_it_shows_no_cancel_buttons_to_a_viewer_but_does_to_an_operator(
    target_db: TargetDb, app_session: AppSession, viewer: User, operator: User,
    client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    url = reverse("activity", args=[target.name])
    cancel = reverse("backend-cancel", args=[target.name, app_session.pid])
    assert cancel not in client_for(viewer).get(url).content.decode()
    assert cancel in client_for(operator).get(url).content.decode()
