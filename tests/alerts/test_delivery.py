"""Channels that fail, silences, acknowledgements, and nothing fired on data we cannot see."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client

from alerts import actions
from alerts.evaluation.engine import evaluate_target
from alerts.models import Alert, DeliveryAttempt, Notification
from alerts.tasks import deliver, flush_target, tick
from dbconsole.embedded.pgcluster import free_port
from dbconsole.models import AuditEvent
from monitoring.models import Target
from tests.alerts.conftest import collect, webhook
from tests.alerts.receiver import Receiver
from tests.alerts.schema import validate
from tests.support.targets import TargetDb
from tests.support.web import post

pytestmark = pytest.mark.django_db(transaction=True)


def down_target(db: TargetDb, name: str = "gone") -> Target:
    """A target whose port nothing listens on: every collection fails with ``unreachable``."""
    target = db.make_target(name)
    target.port = free_port()
    target.save()
    return target


def test_it_retries_a_failing_channel_with_backoff_then_shows_the_failure(
        pipeline: object, receiver: Receiver, pg18_db: TargetDb, viewer: User, client_for: object) -> None:
    receiver.status = 503
    channel = webhook(receiver)
    target = down_target(pg18_db)
    collect(target, "activity", "activity")   # two failed attempts in a row: target_down

    notification = Notification.objects.get(channel=channel)
    attempts = list(DeliveryAttempt.objects.filter(notification=notification))
    assert notification.state == "failed" and notification.attempts == 3 == len(attempts)
    assert all(not a.ok and a.status_code == 503 for a in attempts)
    assert attempts[0].at < attempts[1].at < attempts[2].at
    assert len(receiver.bodies()) == 3
    validate(receiver.bodies()[0])
    page = client_for(viewer).get("/alerts/")   # type: ignore[operator]
    html = page.content.decode()
    assert page.status_code == 200 and "Notifications not delivered" in html and "HTTP 503" in html


def test_it_keeps_a_silenced_alert_quiet_until_the_silence_ends(
        pipeline: object, receiver: Receiver, pg18_db: TargetDb) -> None:
    webhook(receiver)
    target = down_target(pg18_db)
    out = StringIO()
    call_command("alerts", "silence", "--target", target.name, "--rule", "target_down", "--for", "2h",
                 "--comment", "planned move to the new rack", stdout=out)
    assert "silence" in out.getvalue() and target.name in out.getvalue()
    collect(target, "activity", "activity")
    assert Alert.objects.get(target=target, rule="target_down").state == "firing"
    assert receiver.bodies() == []
    assert AuditEvent.objects.filter(action="alerts.silence.create", target=target).exists()

    silence = target.silences.get()
    actions.expire_silence(silence)
    for notification in flush_target(target):
        from alerts.tasks import deliver

        deliver.apply(args=(notification.pk,))
    body = receiver.wait_for(lambda m: True, what="the notification after the silence").body
    assert body["status"] == "firing" and body["alerts"][0]["labels"]["alertname"] == "target_down"


def test_it_fires_nothing_on_data_it_cannot_see_and_names_the_fix_when_someone_can_act(
        pipeline: object, receiver: Receiver, pg18_db: TargetDb) -> None:
    webhook(receiver)
    never = pg18_db.make_target("never-collected")
    outcome = evaluate_target(never.pk)
    assert outcome is not None and outcome.verdicts
    assert {v.status for k, v in outcome.verdicts.items() if k not in {"cannot_evaluate", "advisor_critical"}} == {
        "unknown"}
    assert not Alert.objects.filter(target=never).exists()

    with pg18_db.connect() as conn:
        conn.execute("DROP EXTENSION pg_stat_statements")
        conn.execute("CREATE SEQUENCE \"Tickets_id_seq\" AS integer")   # not readable by the pg_monitor role
    blind = pg18_db.make_target("blind")
    actions.save_rule_setting(target=blind, rule="cannot_evaluate", enabled=True, for_s=0, keep_firing_s=None)
    collect(blind, "activity", "locks", "statements", "sequences")
    verdict = evaluate_target(blind.pk).verdicts  # type: ignore[union-attr]
    assert verdict["query_regression"].status == "unknown"
    assert "CREATE EXTENSION pg_stat_statements" in verdict["query_regression"].fix
    assert not Alert.objects.filter(target=blind, rule="query_regression").exists()
    cannot = Alert.objects.get(target=blind, rule="cannot_evaluate", labels__cause="collector:statements")
    assert cannot.severity == "info" and cannot.state == "firing"
    assert "query_regression" in cannot.summary and "CREATE EXTENSION" in cannot.annotations["fix"]
    assert any(b["groupLabels"]["alertname"] == "cannot_evaluate" for b in receiver.bodies())
    # A sequence the role may not read is not "far from its end": unknown, with the exact GRANT.
    sequences = Alert.objects.get(target=blind, rule="cannot_evaluate", labels__cause="grant:sequences")
    assert 'GRANT SELECT ON SEQUENCE public."Tickets_id_seq" TO dbconsole_monitor;' in sequences.annotations["fix"]
    assert not Alert.objects.filter(target=blind, rule="sequence_overflow").exists()


def test_it_adds_tests_and_lists_channels_from_the_cli_and_never_prints_the_secret(
        pipeline: object, receiver: Receiver, pg18_db: TargetDb, settings: object) -> None:
    secret_url = receiver.url + "?token=s3cr3t-t0ken"
    out = StringIO()
    call_command("alerts", "channel", "add", "ops", "--webhook", secret_url, "--severity", "warning",
                 "--tag", "prod", stdout=out)
    call_command("alerts", "channel", "test", "ops", stdout=out)
    call_command("alerts", "channel", "list", stdout=out)
    call_command("alerts", "channel", "add", "mail", "--kind", "email", "--email", "dba@example.com", stdout=out)
    call_command("alerts", "channel", "test", "mail", stdout=out)
    call_command("alerts", "rules", stdout=out)
    text = out.getvalue()
    assert "s3cr3t" not in text and "test notification delivered to ops" in text
    assert "lock_wait\tcritical\tlock_wait_seconds" in text
    body = receiver.wait_for(lambda m: True).body
    validate(body)
    assert body["alerts"][0]["labels"]["alertname"] == "dbconsole_test"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dba@example.com"]
    assert mail.outbox[0].subject == "[FIRING] dbconsole_test"
    audit = AuditEvent.objects.filter(action="alerts.channel.add").first()
    assert audit is not None and "s3cr3t" not in str(audit.details)
    from alerts.models import Channel

    stored = Channel.objects.get(name="ops")
    assert "s3cr3t" not in stored.secret_encrypted and stored.get_secret() == secret_url
    with pytest.raises(Exception, match="http and https"):
        call_command("alerts", "channel", "add", "bad", "--webhook", "file:///etc/passwd")


def test_it_lets_operators_silence_and_acknowledge_and_refuses_viewers(
        pipeline: object, receiver: Receiver, pg18_db: TargetDb, operator: User, viewer: User,
        client_for: object) -> None:
    webhook(receiver)
    target = down_target(pg18_db, "flaky")
    collect(target, "activity", "activity")
    alert = Alert.objects.get(target=target, rule="target_down")
    refused = post(client_for(viewer), f"/alerts/{alert.pk}/ack/", {"comment": "mine"})  # type: ignore[operator]
    assert refused.status_code == 403
    ops: Client = client_for(operator)  # type: ignore[operator]
    done = post(ops, f"/alerts/{alert.pk}/ack/", {"comment": "looking at it", "next": "/alerts/"})
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == operator and alert.ack_comment == "looking at it"
    made = post(ops, "/alerts/silences/add/", {"kind": "maintenance", "target": target.name, "rule": "",
                                              "labels": "", "starts_at": "", "duration": "1h",
                                              "comment": "kernel upgrade"})
    assert made.status_code == 302
    assert target.silences.get().kind == "maintenance"
    page = ops.get(f"/t/{target.name}/alerts/").content.decode()
    assert "target_down" in page and "looking at it" in page and "kernel upgrade" in page
    assert AuditEvent.objects.filter(action="alerts.alert.acknowledge", target=target).exists()
    assert AuditEvent.objects.filter(action="alerts.maintenance.create", target=target).exists()


def test_it_speaks_slack_pagerduty_and_apprise_to_their_receivers(
        pipeline: object, pg18_db: TargetDb) -> None:
    from tests.alerts.receiver import http_receiver

    with http_receiver("/slack") as slack, http_receiver("/pd") as pd, http_receiver("/apprise") as tail:
        actions.add_channel("chat", "slack", secret=slack.url)
        actions.add_channel("pager", "pagerduty", secret="R" * 32, url=pd.url, min_severity="critical")
        actions.add_channel("tail", "apprise", secret=tail.url.replace("http://", "json://"))
        target = pg18_db.make_target("payments")
        run_port = target.port
        target.port = free_port()
        target.save()
        collect(target, "activity", "activity")
        message = slack.wait_for(lambda m: True, what="the Slack message").body
        assert message["text"].startswith("[FIRING] target_down on payments")
        assert "payments does not answer" in message["blocks"][1]["text"]["text"]
        trigger = pd.wait_for(lambda m: m.body["event_action"] == "trigger", what="the trigger").body
        assert trigger["routing_key"] == "R" * 32 and trigger["payload"]["severity"] == "critical"
        assert trigger["payload"]["source"] == "payments" and len(trigger["dedup_key"]) == 16
        assert "target_down" in tail.wait_for(lambda m: True, what="apprise's JSON").body["title"]

        target.port = run_port
        target.save()
        collect(target, "activity")
        resolve = pd.wait_for(lambda m: m.body["event_action"] == "resolve", what="the resolve").body
        assert resolve["dedup_key"] == trigger["dedup_key"] and "payload" not in resolve
        assert slack.wait_for(lambda m: m.body["text"].startswith("[RESOLVED]"), what="resolved on Slack")


def test_it_escapes_what_a_monitored_database_says_before_slack_reads_it() -> None:
    from alerts.channels.slack import escape

    assert escape("<!channel> & <https://evil|click>") == "&lt;!channel&gt; &amp; &lt;https://evil|click&gt;"


def test_it_repeats_a_still_firing_group_after_the_repeat_interval_unless_acknowledged(
        pipeline: object, receiver: Receiver, pg18_db: TargetDb) -> None:
    import datetime as dt

    from alerts.models import NotificationGroup

    channel = webhook(receiver)
    channel.repeat_interval_s = 600
    channel.save()
    target = down_target(pg18_db, "stuck")
    collect(target, "activity", "activity")
    assert [n.reason for n in Notification.objects.all()] == ["new"]
    notified = NotificationGroup.objects.get(channel=channel).last_notified_at
    assert notified is not None
    later = notified + dt.timedelta(seconds=599)
    assert flush_target(target, later) == []
    repeated = flush_target(target, later + dt.timedelta(seconds=2))
    assert [n.reason for n in repeated] == ["repeat"] and repeated[0].payload["status"] == "firing"
    actions.acknowledge(Alert.objects.get(target=target, rule="target_down"), comment="on it")
    assert flush_target(target, later + dt.timedelta(seconds=1300)) == []


def undelivered(db: TargetDb, receiver: Receiver, *names: str) -> list[Notification]:
    """One firing notification per new down target, decided by an evaluation whose delivery task never
    ran: each target fires while no channel exists, then is evaluated again once the channel is there."""
    targets = [down_target(db, name) for name in names]
    for target in targets:
        collect(target, "activity", "activity")
    webhook(receiver)
    out = []
    for target in targets:
        outcome = evaluate_target(target.pk)
        assert outcome is not None
        out += outcome.notifications
    assert [n.state for n in out] == ["queued"] * len(names)
    return out


def about(target: str) -> Callable[[Any], bool]:
    return lambda body: isinstance(body, dict) and body["groupLabels"]["target"] == target


def test_it_delivers_a_notification_while_another_one_to_the_same_channel_is_on_its_way(
        pipeline: object, receiver: Receiver, pg18_db: TargetDb) -> None:
    """Two targets fire together (one network partition, one fleet): their deliveries run at once on the
    worker's threads. The second must not be skipped because the first holds the channel — it was, and
    the tick re-sent it two minutes later (P7's lock chain notified 135 s late)."""
    from django.db import connection

    east, west = undelivered(pg18_db, receiver, "east", "west")
    receiver.hold = about("east")   # a slow channel: the first delivery stays inside its HTTP call

    def deliver_east() -> None:
        try:
            deliver(east.pk)
        finally:
            connection.close()

    busy = threading.Thread(target=deliver_east, daemon=True)
    busy.start()
    try:
        receiver.wait_for(lambda m: about("east")(m.body), what="the first notification")
        assert deliver(west.pk) == "done"
        west.refresh_from_db()
        assert west.state == "delivered" and west.attempts == 1, west.last_error
        assert any(about("west")(b) for b in receiver.bodies())
    finally:
        receiver.release.set()
        busy.join(timeout=60)
    east.refresh_from_db()
    assert east.state == "delivered" and east.attempts == 1


def test_it_resends_a_notification_whose_delivery_task_was_lost_within_two_ticks(
        pipeline: object, receiver: Receiver, pg18_db: TargetDb) -> None:
    [lost] = undelivered(pg18_db, receiver, "lost")
    assert tick()["redelivered"] == 0   # just decided: its task is still on its way
    # The tick runs every 10 s; two of them without a delivery means the task is gone, not late.
    Notification.objects.filter(pk=lost.pk).update(next_attempt_at=lost.created_at - dt.timedelta(seconds=21))
    assert tick()["redelivered"] == 1
    lost.refresh_from_db()
    assert lost.state == "delivered" and lost.attempts == 1
    assert about("lost")(receiver.wait_for(lambda m: True).body)
    assert tick()["redelivered"] == 0


def test_it_does_not_send_a_retry_before_it_is_due(
        pipeline: object, receiver: Receiver, pg18_db: TargetDb) -> None:
    """A re-sent task that finds the notification waiting for its backoff leaves it to the retry that is
    due: one chain of retries, never two."""
    [waiting] = undelivered(pg18_db, receiver, "waiting")
    Notification.objects.filter(pk=waiting.pk).update(
        state="retrying", attempts=1, next_attempt_at=waiting.created_at + dt.timedelta(hours=1))
    assert deliver(waiting.pk) == "done"
    waiting.refresh_from_db()
    assert waiting.state == "retrying" and waiting.attempts == 1 and receiver.bodies() == []
