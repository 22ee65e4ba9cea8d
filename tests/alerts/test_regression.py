"""A query made slow on purpose: its baseline is written through the real statements store with past
timestamps (the same hour yesterday), then its index is dropped; the next real collection evaluates the
regression rule, which fires with the statement's text and both means."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.db import transaction
from django.utils import timezone

from alerts.models import Alert
from monitoring.collectors.base import CollectContext
from monitoring.collectors.runner import collector_for
from monitoring.history import partitions
from monitoring.history.rollups_statements import rollup_target
from monitoring.models import Target
from monitoring.targets.connect import Guard, connect
from tests.alerts.conftest import collect, webhook
from tests.alerts.receiver import Receiver
from tests.alerts.schema import validate
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db(transaction=True)
CALLS = 40
LOOKUP = "SELECT v FROM regress_items WHERE id = %s"


def store_statements_at(target: Target, at: dt.datetime) -> None:
    """The statements collector's own read and store, stamped ``at`` (the store path the runner uses)."""
    collector = collector_for("statements")
    partitions.ensure_ahead(at, days_ahead=1)   # the past day's partitions (maintenance only makes them ahead)
    with connect(target, Guard.default()) as conn:
        ctx = CollectContext(target=target, server_version_num=conn.info.server_version, captured_at=at)
        ctx = replace(ctx, prepared=collector.prepare(ctx))
        snapshot = collector.read(conn, ctx)
    with transaction.atomic():
        collector.store(snapshot, ctx)


def run_lookups(db: TargetDb) -> None:
    with db.connect() as conn:
        for i in range(CALLS):
            conn.execute(LOOKUP, (i * 97 % 20000 + 1,))


def test_it_fires_a_regression_naming_the_statement_that_became_slower_than_yesterday(
        pipeline: object, receiver: Receiver, target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE regress_items (id int PRIMARY KEY, v text)")
        conn.execute("INSERT INTO regress_items SELECT g, md5(g::text) FROM generate_series(1, 60000) g")
        conn.execute("ANALYZE regress_items")
    target = target_db.make_target()
    webhook(receiver, min_severity="warning")
    now = timezone.now()
    window = dt.timedelta(minutes=15)
    # Yesterday, in the clock hour the rule compares with: baseline read, the fast calls, their sample.
    hour = (now - window / 2 - dt.timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    store_statements_at(target, hour + dt.timedelta(minutes=20))
    run_lookups(target_db)
    store_statements_at(target, hour + dt.timedelta(minutes=21))
    rollup_target(target.pk)

    with target_db.connect() as conn:   # made slow on purpose: every lookup now scans the table
        conn.execute("ALTER TABLE regress_items DROP CONSTRAINT regress_items_pkey")
    collect(target, "statements")
    assert not [b for b in receiver.bodies() if b["groupLabels"].get("alertname") == "query_regression"]
    run_lookups(target_db)
    collect(target, "statements")

    message = receiver.wait_for(lambda m: m.body["groupLabels"].get("alertname") == "query_regression",
                                what="query_regression")
    validate(message.body)
    alert = message.body["alerts"][0]
    notes = alert["annotations"]
    assert "regress_items" in notes["query"] and notes["baseline"] == "the same hour yesterday"
    assert float(notes["mean_ms"]) >= 3 * float(notes["baseline_mean_ms"])
    assert alert["generatorURL"].split("/t/", 1)[1].startswith(f"{target.name}/queries/")
    episode = Alert.objects.get(fingerprint=alert["fingerprint"])
    assert episode.rule == "query_regression" and episode.value and episode.value >= 3
