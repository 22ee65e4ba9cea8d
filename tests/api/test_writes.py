"""Every state-changing endpoint, for every role (the web's: viewer reads; reviewer decides; operator
signals backends; admin manages targets), on the real scene — and every change in the audit trail with
the token's name."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
import redis
from django.contrib.auth.models import User
from django.utils import timezone

from advisor.models import Recommendation, Status
from dbconsole.models import AuditEvent
from monitoring.models import Target
from tests.api.conftest import Api, token_for
from tests.api.scene import Scene
from tests.monitoring.test_tasks import broker  # noqa: F401  (the fixture: Celery on the test's Redis)
from tests.support.targets import MONITOR_ROLE, TargetDb

pytestmark = pytest.mark.django_db
ApiAs = Callable[[User | None], Api]
PERSONAS = ("nobody", "viewer", "reviewer", "operator", "admin_user")


def personas(request: pytest.FixtureRequest) -> dict[str, User | None]:
    return {p: (None if p == "nobody" else request.getfixturevalue(p)) for p in PERSONAS}


def refused(api: Api, method: str, url: str, body: Any, allowed: set[str], who: str) -> None:
    """Everyone not ``allowed`` is refused before anything happens: 401 without a token, else 403."""
    if who in allowed:
        return
    response = api.call(method, url, body)
    expected = 401 if who == "nobody" else 403
    assert response.status_code == expected, (who, method, url, response.content)
    error = response.json()["error"]
    assert error["code"] == ("not_authenticated" if who == "nobody" else "permission_denied")
    if who == "nobody":
        assert response["WWW-Authenticate"].startswith("Bearer")


def rec_url(scene: Scene, rec: Recommendation, tail: str = "") -> str:
    return f"/api/v1/targets/{scene.target.name}/recommendations/{rec.pk}/{tail}"


def test_it_lets_only_reviewers_decide_comment_and_draft(scene: Scene, request: pytest.FixtureRequest,
                                                          api_as: ApiAs) -> None:
    rec = scene.rec("duplicate_index")
    people = personas(request)
    reviewers = {"reviewer", "admin_user"}
    for who, user in people.items():
        api = api_as(user)
        refused(api, "POST", rec_url(scene, rec, "decision/"), {"action": "accept"}, reviewers, who)
        refused(api, "POST", rec_url(scene, rec, "comments/"), {"text": "hm"}, reviewers, who)
        refused(api, "GET", rec_url(scene, rec, "draft/"), None, reviewers, who)
    assert Recommendation.objects.get(pk=rec.pk).status == Status.OPEN   # nothing happened

    token = token_for(request.getfixturevalue("reviewer"), name="ci-review-bot")
    api = Api(token)
    not_yet = api.get(rec_url(scene, rec, "draft/"))
    assert not_yet.status_code == 409 and "accept it first" in not_yet.json()["error"]["message"]
    accepted = api.post(rec_url(scene, rec, "decision/"), {"action": "accept", "comment": "drop the twin"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["history"][-1]["comment"] == "drop the twin"
    comment = api.post(rec_url(scene, rec, "comments/"), {"text": "scheduled for Tuesday"})
    assert comment.status_code == 201 and comment.json()["actor"] == "rita-reviewer"
    for fmt, needle in (("sql", "DROP INDEX CONCURRENTLY"), ("rollback", "CREATE INDEX CONCURRENTLY"),
                        ("django", "class Migration"), ("alembic", "def upgrade")):
        draft = api.get(rec_url(scene, rec, "draft/"), {"format": fmt})
        assert draft.status_code == 200, draft.content
        assert needle in draft.json()["text"] and "products_sku_dup" in draft.json()["text"], fmt
        assert draft.json()["recommendations"] == [rec.pk]
    events = AuditEvent.objects.filter(target=scene.target, action__in=["advisor.accept", "advisor.comment"])
    assert {e.action for e in events} == {"advisor.accept", "advisor.comment"}
    for event in events:
        assert event.actor_name == "rita-reviewer"
        assert event.details["api_token"].startswith("ci-review-bot (dbc_")


def test_it_checks_decision_bodies_field_by_field(scene: Scene, reviewer: User, api_as: ApiAs) -> None:
    rec = scene.rec("unused_index")
    api = api_as(reviewer)
    url = rec_url(scene, rec, "decision/")
    for body, field in (({"action": "dismiss"}, "reason"), ({"action": "snooze"}, "until"),
                        ({"action": "explode"}, "action"), ({}, "action"),
                        ({"action": "snooze", "until": "2001-01-01T00:00:00Z"}, "until"),
                        ({"action": "snooze", "until": "99999-01-01"}, "until"),
                        ({"action": "accept", "comment": "a\x00b"}, "comment"),
                        ({"action": "accept", "comment": "x" * 6000}, "comment")):
        response = api.post(url, body)
        assert response.status_code == 400, (body, response.content)
        assert response.json()["error"]["field"] == field, body
    applied = api.post(url, {"action": "apply"})
    assert applied.status_code == 409 and applied.json()["error"]["code"] == "invalid_transition"
    until = (timezone.now() + dt.timedelta(days=3)).isoformat()
    snoozed = api.post(url, {"action": "snooze", "until": until})
    assert snoozed.status_code == 200 and snoozed.json()["status"] == "snoozed"
    not_json = api.client.post(url, "action=accept", content_type="application/x-www-form-urlencoded")
    assert not_json.status_code == 415 and not_json.json()["error"]["code"] == "unsupported_media_type"
    broken = api.client.post(url, "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "malformed_body"


def test_it_lets_reviewers_run_the_advisor_now(scene: Scene, request: pytest.FixtureRequest, api_as: ApiAs,
                                               broker: redis.Redis) -> None:  # noqa: F811
    url = f"/api/v1/targets/{scene.target.name}/advisor/runs/"
    for who, user in personas(request).items():
        refused(api_as(user), "POST", url, None, {"reviewer", "admin_user"}, who)
    assert broker.llen("advisor") == 0
    response = api_as(request.getfixturevalue("reviewer")).post(url)
    assert response.status_code == 202 and response.json() == {"status": "queued", "target": scene.target.name}
    message = json.loads(broker.lrange("advisor", 0, -1)[0])
    assert message["headers"]["task"] == "advisor.run_target" and message["headers"]["expires"]
    assert json.loads(base64.b64decode(message["body"]))[0] == [scene.target.pk]
    event = AuditEvent.objects.get(action="advisor.run_requested", target=scene.target)
    assert event.actor_name == "rita-reviewer" and event.details["api_token"]


def test_it_lets_only_admins_add_check_and_remove_targets(target_db: TargetDb, request: pytest.FixtureRequest,
                                                          api_as: ApiAs) -> None:
    existing = target_db.make_target(name="to-remove")
    body = {"name": "via-api", "dsn": target_db.dsn(), "tags": ["api"]}
    admins = {"admin_user"}
    for who, user in personas(request).items():
        api = api_as(user)
        refused(api, "POST", "/api/v1/targets/", body, admins, who)
        refused(api, "POST", f"/api/v1/targets/{existing.name}/check/", None, admins, who)
        refused(api, "DELETE", f"/api/v1/targets/{existing.name}/", None, admins, who)
    assert not Target.objects.filter(name="via-api").exists()

    api = Api(token_for(request.getfixturevalue("admin_user"), name="fleet-sync"))
    created = api.post("/api/v1/targets/", body)
    assert created.status_code == 201, created.content
    assert created.json()[0]["name"] == "via-api" and created.json()[0]["server_version_num"] // 10000 == \
        target_db.major
    assert "monitor-secret" not in created.content.decode()
    again = api.post("/api/v1/targets/", body)
    assert again.status_code == 400 and again.json()["error"]["field"] == "name"
    nowhere = api.post("/api/v1/targets/", {**body, "name": "nowhere",
                                            "dsn": target_db.dsn(password="wrong-password")})
    assert nowhere.status_code == 400 and nowhere.json()["error"]["code"] == "connection_failed"
    assert not Target.objects.filter(name="nowhere").exists()
    check = api.post(f"/api/v1/targets/{existing.name}/check/")
    assert check.status_code == 200 and check.json()["connected"] and check.json()["findings"]
    assert api.delete(f"/api/v1/targets/{existing.name}/").status_code == 204
    assert not Target.objects.filter(name="to-remove").exists()
    assert api.delete(f"/api/v1/targets/{existing.name}/").status_code == 404
    trail = {e.action: e for e in AuditEvent.objects.filter(action__in=["target.add", "target.remove"])}
    assert trail["target.add"].target_name == "via-api" and trail["target.remove"].target_name == "to-remove"
    assert all(e.details["api_token"].startswith("fleet-sync (") for e in trail.values())


@pytest.mark.parametrize("action", ["cancel", "terminate"])
def test_it_lets_only_operators_signal_a_backend(action: str, pg18_db: TargetDb, request: pytest.FixtureRequest,
                                                 api_as: ApiAs) -> None:
    target = pg18_db.make_target()
    with pg18_db.connect() as setup:
        setup.execute(f"GRANT pg_signal_backend TO {MONITOR_ROLE}")
    victim_user = f"victim_{pg18_db.dbname}"
    with pg18_db.connect() as setup:
        setup.execute(f"CREATE ROLE {victim_user} LOGIN PASSWORD 'victim-secret-1'")
    victim = psycopg.connect(pg18_db.cluster.conninfo(pg18_db.dbname, user=victim_user, password="victim-secret-1"),
                             autocommit=True, application_name="api-victim")
    outcome: dict[str, Any] = {}
    sleeper = threading.Thread(target=_sleep, args=(victim, outcome), daemon=True)
    try:
        sleeper.start()
        operator_api = api_as(request.getfixturevalue("operator"))
        session = _wait_for(operator_api, target, victim.info.backend_pid)
        url = f"/api/v1/targets/{target.name}/backends/{session['pid']}/{action}/"
        body = {"backend_start": session["backend_start"]}
        for who, user in personas(request).items():
            refused(api_as(user), "POST", url, body, {"operator", "admin_user"}, who)
        wrong = operator_api.post(url, {"backend_start": "2001-01-01T00:00:00Z"})
        assert wrong.status_code == 404            # same pid, another session: never signalled
        done = operator_api.post(url, body)
        assert done.status_code == 200 and done.json()["signalled"], done.content
        sleeper.join(timeout=30)
        assert outcome["error"] in ("QueryCanceled", "AdminShutdown", "OperationalError")
    finally:
        victim.close()
        with pg18_db.connect() as setup:
            setup.execute(f"DROP ROLE IF EXISTS {victim_user}")
            # The monitoring role is the cluster's, shared by later tests that expect it without the grant.
            setup.execute(f"REVOKE pg_signal_backend FROM {MONITOR_ROLE}")
    events = list(AuditEvent.objects.filter(action=f"backend.{action}", target=target).order_by("at"))
    assert [e.details["ok"] for e in events] == [False, True]
    assert events[-1].details["application_name"] == "api-victim" and events[-1].details["api_token"]


def _sleep(conn: Any, outcome: dict[str, Any]) -> None:
    try:
        conn.execute("SELECT pg_sleep(60)")
        outcome["error"] = None
    except Exception as exc:
        outcome["error"] = type(exc).__name__


def _wait_for(api: Api, target: Target, pid: int) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        sessions = api.get(f"/api/v1/targets/{target.name}/activity/", {"state": "active"}).json()["results"]
        found = [s for s in sessions if s["pid"] == pid and "pg_sleep" in (s["query"] or "")]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError("the sleeping session never showed up")
