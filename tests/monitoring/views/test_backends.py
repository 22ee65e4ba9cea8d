"""Cancel and terminate: operators only, confirmed, POST with CSRF, audit-logged, the right backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dbconsole.models import AuditEvent
from monitoring.models import Target
from tests.monitoring.views.conftest import AppSession
from tests.support.targets import TargetDb
from tests.support.web import post
from tests.support.workload import blocking_chain

pytestmark = pytest.mark.django_db


def _backend_start(db: TargetDb, pid: int) -> str:
    with db.connect() as conn:
        row = conn.execute("SELECT backend_start FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
    assert row is not None
    return str(row[0].isoformat())


def _state(db: TargetDb, pid: int) -> tuple[str | None, str | None] | None:
    with db.connect() as conn:
        row = conn.execute("SELECT state, query FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
    return (row[0], row[1]) if row else None


def _settles(db: TargetDb, pid: int, done: Callable[[tuple[str | None, str | None] | None], bool]) -> bool:
    """Signals are asynchronous: wait (bounded) for the backend to reach the expected state."""
    with db.connect() as conn:
        for _ in range(250):
            row = conn.execute("SELECT state, query FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
            if done((row[0], row[1]) if row else None):
                return True
            conn.execute("SELECT pg_sleep(0.02)")
    return False


def test_it_asks_for_confirmation_naming_pid_user_and_query(
    target_db: TargetDb, signalling_target: Target, app_session: AppSession, operator: User,
    client_for: Callable[[User], Client],
) -> None:
    url = reverse("backend-cancel", args=[signalling_target.name, app_session.pid])
    response = client_for(operator).get(url, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert f"Cancel the running query of backend {app_session.pid}?" in body
    assert app_session.role in body
    assert "pg_sleep(600) /* nightly invoice run */" in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert _state(target_db, app_session.pid) is not None  # asking changed nothing


def test_it_cancels_the_query_and_records_who_did_it(
    target_db: TargetDb, signalling_target: Target, app_session: AppSession, operator: User,
    client_for: Callable[[User], Client],
) -> None:
    url = reverse("backend-cancel", args=[signalling_target.name, app_session.pid])
    response = post(client_for(operator), url, {"backend_start": _backend_start(target_db, app_session.pid)},
                    HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f"cancelled the running query of backend {app_session.pid}" in response.content.decode()
    assert response["HX-Trigger"] == "dbconsole:refresh"
    # Cancelled, not terminated: the session is still there, its statement is not.
    assert _settles(target_db, app_session.pid, lambda s: s is not None and s[0] == "idle")
    event = AuditEvent.objects.get(action="backend.cancel")
    assert event.actor == operator
    assert event.target_name == signalling_target.name
    assert event.details["pid"] == app_session.pid
    assert event.details["usename"] == app_session.role
    assert "nightly invoice run" in event.details["query"]
    assert event.details["ok"] is True


def test_it_terminates_a_session_and_redirects_without_htmx(
    target_db: TargetDb, signalling_target: Target, app_session: AppSession, operator: User,
    client_for: Callable[[User], Client],
) -> None:
    url = reverse("backend-terminate", args=[signalling_target.name, app_session.pid])
    back = reverse("activity", args=[signalling_target.name])
    response = post(client_for(operator), url, {"backend_start": _backend_start(target_db, app_session.pid),
                                                "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert _settles(target_db, app_session.pid, lambda s: s is None)
    assert AuditEvent.objects.filter(action="backend.terminate", details__ok=True).count() == 1


def test_it_refuses_a_viewer_and_a_reviewer_with_403_and_does_nothing(
    target_db: TargetDb, signalling_target: Target, app_session: AppSession, viewer: User, reviewer: User,
    client_for: Callable[[User], Client],
) -> None:
    started = _backend_start(target_db, app_session.pid)
    for user in (viewer, reviewer):
        client = client_for(user)
        for action in ("backend-cancel", "backend-terminate"):
            url = reverse(action, args=[signalling_target.name, app_session.pid])
            assert client.get(url).status_code == 403
            assert post(client, url, {"backend_start": started}).status_code == 403
    assert _state(target_db, app_session.pid) == ("active", "SELECT pg_sleep(600) /* nightly invoice run */")
    assert not AuditEvent.objects.filter(action__startswith="backend.").exists()


def test_it_rejects_a_post_without_the_csrf_token(
    target_db: TargetDb, signalling_target: Target, app_session: AppSession, operator: User,
    client_for: Callable[[User], Client],
) -> None:
    url = reverse("backend-cancel", args=[signalling_target.name, app_session.pid])
    response = client_for(operator).post(url, {"backend_start": _backend_start(target_db, app_session.pid)})
    assert response.status_code == 403
    assert _state(target_db, app_session.pid) is not None


def test_it_never_signals_a_recycled_pid(
    target_db: TargetDb, signalling_target: Target, app_session: AppSession, operator: User,
    client_for: Callable[[User], Client],
) -> None:
    url = reverse("backend-cancel", args=[signalling_target.name, app_session.pid])
    response = post(client_for(operator), url, {"backend_start": "2001-01-01T00:00:00+00:00"}, HTTP_HX_REQUEST="true")
    assert "has already ended" in response.content.decode()
    assert _state(target_db, app_session.pid) == ("active", "SELECT pg_sleep(600) /* nightly invoice run */")
    assert AuditEvent.objects.get(action="backend.cancel").details["ok"] is False


def test_it_explains_a_missing_pg_signal_backend_with_the_grant_to_run(
    target_db: TargetDb, app_session: AppSession, operator: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()  # pg_monitor only
    url = reverse("backend-cancel", args=[target.name, app_session.pid])
    response = post(client_for(operator), url, {"backend_start": _backend_start(target_db, app_session.pid)},
                    HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "may not cancel other users" in body
    assert f"GRANT pg_signal_backend TO {target.username};" in body
    event = AuditEvent.objects.get(action="backend.cancel")
    assert event.details["ok"] is False and event.details["error"] == "permission_denied"
    assert _state(target_db, app_session.pid) is not None


def test_it_says_a_superusers_session_needs_a_superuser(
    target_db: TargetDb, signalling_target: Target, operator: User, client_for: Callable[[User], Client],
) -> None:
    with blocking_chain(target_db, waiters=1) as chain:  # the chain's sessions are superusers
        url = reverse("backend-cancel", args=[signalling_target.name, chain.waiter_pids[0]])
        body = post(client_for(operator), url, {"backend_start": _backend_start(target_db, chain.waiter_pids[0])},
                    HTTP_HX_REQUEST="true").content.decode()
        still_waiting = _state(target_db, chain.waiter_pids[0])
    assert "belongs to a superuser" in body
    assert still_waiting is not None and still_waiting[0] == "active"


def test_it_reports_a_backend_that_ended_before_the_confirmation(
    target_db: TargetDb, signalling_target: Target, operator: User, client_for: Callable[[User], Client], db: Any,
) -> None:
    with target_db.connect() as conn:
        pid = conn.info.backend_pid
    body = client_for(operator).get(reverse("backend-terminate", args=[signalling_target.name, pid]),
                                    HTTP_HX_REQUEST="true").content.decode()
    assert f"Backend {pid} is gone" in body
