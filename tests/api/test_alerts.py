"""Alerts through the API and ``/metrics`` on PostgreSQL 15 and 18: a real lock chain, seen by the real
collectors and graded by the real evaluation, fires ``lock_wait`` — listed for the fleet and for the target
with its labels, annotations, times and link, counted in ``dbconsole_alerts_firing`` — is silenced and
acknowledged by an operator (audited with the token's name), and resolves when the chain is gone."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from alerts import actions
from alerts.evaluation.engine import evaluate_target
from dbconsole.models import AuditEvent
from monitoring.collectors.runner import run
from monitoring.models import Target
from tests.api.conftest import Api, token_for
from tests.api.test_metrics import of, one, scrape
from tests.api.test_writes import personas, refused
from tests.support.targets import TargetDb
from tests.support.workload import blocking_chain

pytestmark = pytest.mark.django_db
ApiAs = Callable[[User | None], Api]
SEVERITIES = ("info", "warning", "critical")


def collect_and_evaluate(target: Target, *collectors: str) -> None:
    """Real collections, then the evaluation their commit would queue (these tests run in one transaction,
    where nothing commits: the alerts tests drive the same path through Celery)."""
    for name in collectors:
        assert run(target, name).ok, name
    assert evaluate_target(target.pk) is not None


def lock_alerts(api: Api, target: Target, **params: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/v1/targets/{target.name}/alerts/", {"rule": "lock_wait", **params})
    assert response.status_code == 200, response.content
    return list(response.json()["results"])


def firing(samples: Any, target: Target, family: str = "dbconsole_alerts_firing") -> dict[str, float]:
    return {s: one(samples, family, target=target.name, severity=s) for s in SEVERITIES}


def test_it_lists_counts_silences_acknowledges_and_resolves_a_real_lock_chain_alert(
        target_db: TargetDb, request: pytest.FixtureRequest, api_as: ApiAs) -> None:
    # 1 s instead of the default 20 s: the same rule, sooner (a per-target override, as admins set them).
    target = target_db.make_target(thresholds={"lock_wait_seconds": {"warning": 1}})
    viewer_token = token_for(request.getfixturevalue("viewer"))
    api = Api(viewer_token)
    assert of(scrape(viewer_token)[1], "dbconsole_alerts_firing", target=target.name) == []   # never evaluated
    collect_and_evaluate(target, "activity", "locks")
    assert lock_alerts(api, target) == []
    assert firing(scrape(viewer_token)[1], target) == {"info": 0, "warning": 0, "critical": 0}

    with blocking_chain(target_db, waiters=2) as chain:
        time.sleep(1.5)
        collect_and_evaluate(target, "locks")
    [alert] = lock_alerts(api, target, state="firing")
    assert alert["rule"] == alert["labels"]["alertname"] == "lock_wait"
    assert alert["target"] == alert["labels"]["target"] == target.name
    assert alert["severity"] == alert["labels"]["severity"] == "warning" and alert["state"] == "firing"
    assert alert["labels"]["root_pid"] == str(chain.holder_pid) == alert["instance"]
    notes = alert["annotations"]
    assert notes["summary"] == alert["summary"] and f"behind pid {chain.holder_pid}" in notes["summary"]
    assert "UPDATE chain_demo" in notes["root_query"] and notes["description"] and notes["runbook"]
    assert re.fullmatch(r"[0-9a-f]{16}", alert["fingerprint"])
    assert alert["started_at"] and alert["fired_at"] and alert["resolved_at"] is None
    assert alert["link"].startswith(f"/t/{target.name}/locks/incidents/") and alert["url"].endswith(alert["link"])
    assert alert["acknowledged_at"] is None and alert["silence"] is None
    fleet = api.get("/api/v1/alerts/", {"target": target.name, "state": "firing"}).json()
    assert [a["id"] for a in fleet["results"]] == [alert["id"]] and fleet["range"]["preset"] == "24h"
    assert api.get("/api/v1/alerts/", {"target": "someone-else"}).json()["results"] == []
    assert lock_alerts(api, target, state="resolved") == lock_alerts(api, target, state="pending") == []
    detail = api.get(f"/api/v1/alerts/{alert['id']}/").json()
    assert detail.pop("duration_seconds") >= alert.pop("duration_seconds") >= 0 and detail == alert
    assert api.get("/api/v1/alerts/999999999/").json()["error"]["code"] == "not_found"
    counts = scrape(viewer_token)[1]
    assert firing(counts, target) == {"info": 0, "warning": 1, "critical": 0}
    assert firing(counts, target, "dbconsole_alerts_silenced") == {"info": 0, "warning": 0, "critical": 0}

    # An operator silences it (as on the Silences page) and acknowledges it with a token.
    operator = request.getfixturevalue("operator")
    silence = actions.create_silence(target=target, rule="lock_wait", duration=dt.timedelta(hours=1),
                                     comment="deploy in progress", actor=operator)
    [quiet] = lock_alerts(api, target, state="silenced")
    assert quiet["id"] == alert["id"] and quiet["silence"] == silence.pk and quiet["state"] == "silenced"
    assert lock_alerts(api, target, state="firing") == []
    assert firing(scrape(viewer_token)[1], target, "dbconsole_alerts_silenced")["warning"] == 1
    listed = api.get("/api/v1/silences/", {"target": target.name}).json()["results"]
    assert [(s["id"], s["status"], s["target"], s["rule"], s["created_by"]) for s in listed] == [
        (silence.pk, "active", target.name, "lock_wait", "otto-operator")]
    assert silence.pk not in [s["id"] for s in api.get("/api/v1/silences/", {"status": "ended"}).json()["results"]]

    url = f"/api/v1/alerts/{alert['id']}/acknowledge/"
    for who, user in personas(request).items():
        refused(api_as(user), "POST", url, {"comment": "mine"}, {"operator", "admin_user"}, who)
    assert api.get(f"/api/v1/alerts/{alert['id']}/").json()["acknowledged_at"] is None   # nothing happened
    pager = Api(token_for(operator, name="pager-bot"))
    assert pager.post(url, {"comment": 42}).json()["error"]["field"] == "comment"
    acked = pager.post(url, {"comment": "looking at the holder"})
    assert acked.status_code == 200, acked.content
    assert acked.json()["acknowledged_by"] == "otto-operator" and acked.json()["ack_comment"] == "looking at the holder"
    event = AuditEvent.objects.get(action="alerts.alert.acknowledge", target=target)
    assert event.actor_name == "otto-operator" and event.details["api_token"].startswith("pager-bot (")
    assert event.details["fingerprint"] == alert["fingerprint"]

    collect_and_evaluate(target, "locks")          # the chain is gone
    [resolved] = lock_alerts(api, target, state="resolved")
    assert resolved["id"] == alert["id"] and resolved["fingerprint"] == alert["fingerprint"]
    assert resolved["state"] == "resolved" and resolved["resolved_at"] >= resolved["fired_at"]
    assert lock_alerts(api, target, state="firing") == lock_alerts(api, target, state="silenced") == []
    assert firing(scrape(viewer_token)[1], target) == {"info": 0, "warning": 0, "critical": 0}
    again = pager.post(url, {})
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_open"
    # Before its start, the range holds nothing of it.
    before = (timezone.now() - dt.timedelta(days=2)).isoformat()
    assert lock_alerts(api, target, **{"from": before, "to": (timezone.now() - dt.timedelta(days=1)).isoformat()}) \
        == []


def test_it_pages_the_fleets_alerts_newest_first_with_a_cursor(target_db: TargetDb, viewer: User,
                                                                api_as: ApiAs) -> None:
    target = target_db.make_target(thresholds={"lock_wait_seconds": {"warning": 1}})
    collect_and_evaluate(target, "activity", "locks")
    for _episode in range(2):          # two chains, two holders: two alerts (the root pid is a label)
        with blocking_chain(target_db, waiters=1):
            time.sleep(1.5)
            collect_and_evaluate(target, "locks")
        collect_and_evaluate(target, "locks")
    with blocking_chain(target_db, waiters=1):
        time.sleep(1.5)
        collect_and_evaluate(target, "locks")
        api = api_as(viewer)
        first = api.get("/api/v1/alerts/", {"target": target.name, "rule": "lock_wait", "limit": 2}).json()
        assert [a["state"] for a in first["results"]] == ["firing", "resolved"]
        assert first["next_cursor"] and first["next"]
        second = api.get(first["next"]).json()
        assert [a["state"] for a in second["results"]] == ["resolved"] and second["next"] is None
        walked = [a["started_at"] for a in first["results"] + second["results"]]
        assert walked == sorted(walked, reverse=True) and len({a["id"] for a in first["results"] +
                                                                second["results"]}) == 3
        refused_cursor = api.get("/api/v1/silences/", {"cursor": first["next_cursor"]})
        assert refused_cursor.status_code == 400 and refused_cursor.json()["error"]["field"] == "cursor"
