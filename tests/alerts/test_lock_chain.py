"""A real lock chain on PostgreSQL 15 and 18: the locks collector sees it, the evaluation fires one alert
for the chain, and one grouped notification names the root blocker; the chain ends, it resolves."""

from __future__ import annotations

import time

import pytest

from alerts.models import Alert, Notification
from monitoring.models import Event
from tests.alerts.conftest import collect, webhook
from tests.alerts.receiver import Receiver
from tests.alerts.schema import validate
from tests.support.targets import TargetDb
from tests.support.workload import blocking_chain

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_sends_one_grouped_notification_naming_the_root_blocker_and_then_its_resolution(
        pipeline: object, receiver: Receiver, target_db: TargetDb) -> None:
    # 1 s instead of the default 20 s: the same rule, sooner (a per-target override, as admins set them).
    target = target_db.make_target(thresholds={"lock_wait_seconds": {"warning": 1}})
    webhook(receiver)
    collect(target, "activity", "locks")
    assert receiver.bodies() == []

    with blocking_chain(target_db, waiters=2) as chain:
        time.sleep(1.5)
        collect(target, "locks")
        firing = receiver.wait_for(lambda m: m.body["groupLabels"].get("alertname") == "lock_wait", what="lock_wait")
        collect(target, "locks")   # still there: no second notification
    validate(firing.body)
    assert firing.body["status"] == "firing" and len(firing.body["alerts"]) == 1
    alert = firing.body["alerts"][0]
    assert alert["labels"]["root_pid"] == str(chain.holder_pid) and alert["labels"]["target"] == target.name
    notes = alert["annotations"]
    assert notes["root_pid"] == str(chain.holder_pid) and notes["root_application"] == "chain-holder"
    assert "UPDATE chain_demo" in notes["root_query"]
    assert all(f"pid {pid}" in notes["wait_chain"] for pid in chain.waiter_pids)
    assert notes["incident_url"].startswith(f"/t/{target.name}/locks/incidents/")
    assert alert["generatorURL"].endswith(notes["incident_url"])
    assert sum(1 for b in receiver.bodies() if b["status"] == "firing") == 1

    collect(target, "locks")       # the chain is gone
    resolved = receiver.wait_for(lambda m: m.body["status"] == "resolved", what="the resolution")
    validate(resolved.body)
    assert resolved.body["alerts"][0]["fingerprint"] == alert["fingerprint"]
    assert resolved.body["groupKey"] == firing.body["groupKey"]
    episode = Alert.objects.get(fingerprint=alert["fingerprint"])
    assert episode.state == "resolved" and episode.fired_at and episode.resolved_at
    assert episode.fired_at <= episode.resolved_at
    assert Notification.objects.filter(state="delivered").count() == 2
    # The target's charts mark both transitions (monitoring's events, written by alerts).
    assert set(Event.objects.filter(target=target, collector="alerts").values_list("kind", flat=True)) == {
        "alert_firing", "alert_resolved"}
