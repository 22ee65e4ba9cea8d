"""The replication page against real PostgreSQL 15 and 18. The test clusters have no replicas and
archiving off, which the page must explain; an inactive physical slot created on the cluster (dropped
afterwards) retains WAL, which the page must highlight."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.collectors.runner import run
from monitoring.history import snapshots
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def inactive_slot(db: TargetDb) -> Iterator[str]:
    """A physical slot reserving WAL from now on, with nothing consuming it; then some WAL written."""
    name = f"forgotten_{db.dbname}"
    with db.connect() as conn:
        conn.execute("SELECT pg_create_physical_replication_slot(%s, true)", (name,))
    try:
        with db.connect() as conn:
            conn.execute("CREATE TABLE wal_maker (id int, v text)")
            conn.execute("INSERT INTO wal_maker SELECT g, md5(g::text) FROM generate_series(1, 20000) g")
        yield name
    finally:
        with db.connect() as conn:
            conn.execute("SELECT pg_drop_replication_slot(%s)", (name,))


def test_it_explains_a_server_without_replicas_slots_or_archiving(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    assert run(target, "settings").ok
    assert run(target, "replication").ok
    assert run(target, "replication").ok
    client = client_for(viewer)
    body = client.get(reverse("replication", args=[target.name])).content.decode()

    assert "this server is a primary" in body
    assert 'id="no-replicas"' in body and "<code>pg_stat_replication</code> is empty" in body
    assert 'id="no-slots"' in body
    assert 'id="archiving-off"' in body and "archive_mode = off" in body
    assert 'id="inactive-slots"' not in body and 'id="archiver-failing"' not in body

    charts = reverse("chart", args=[target.name, "replication-lag"])
    lag = json.loads(client.get(charts, {"range": "1h"}).content)
    assert lag["data"] == [] and "no replica was connected" in lag["layout"]["annotations"][0]["text"]


def test_it_highlights_an_inactive_slot_that_retains_wal(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    with inactive_slot(target_db) as slot:
        assert run(target, "replication").ok
        assert run(target, "replication").ok
        body = client.get(reverse("replication", args=[target.name])).content.decode()
        figure = json.loads(client.get(reverse("chart", args=[target.name, "replication-retained-wal"]),
                                       {"range": "1h"}).content)
        slots_csv = client.get(reverse("replication", args=[target.name]), {"csv": "slots"}).content.decode()

    assert re.search(rf'id="inactive-slots".*<code>{slot}</code>', body)
    row = re.search(rf'<tr data-slot="{slot}" class="waiting">(.*?)</tr>', body, re.S)
    assert row is not None and "inactive, retaining WAL" in row.group(1) and "physical" in row.group(1)
    assert 'id="no-slots"' not in body
    retained, inactive = figure["data"]
    assert retained["y"][-1] > 1_000_000 and inactive["y"][-1] == 1   # 20,000 rows of WAL, one idle slot
    header, line = slots_csv.strip().splitlines()
    assert header.startswith("Slot,Type,Database,Active,WAL status,Retained WAL")
    assert line.startswith(f"{slot},physical,,no,") and int(line.split(",")[5]) > 1_000_000


def test_it_shows_replica_lag_and_a_failing_archiver_from_a_stored_sample(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    """No test cluster has replicas or archiving: a sample shaped like the collector's, stored through the
    real write path, stands in for a primary with one lagging replica and an archive command failing."""
    target = target_db.make_target()
    now = timezone.now()
    for minutes, lag in ((3, 1_000_000), (2, 5_000_000), (1, 40_000_000)):
        with transaction.atomic():
            snapshots.store_replication(target.pk, {
                "in_recovery": False, "replay_delay_seconds": None, "receiver": None,
                "replicas": [{"pid": 4242, "application_name": "standby-a", "client_addr": "10.0.0.7",
                              "state": "streaming", "sync_state": "async", "sent_lag_bytes": lag // 2,
                              "write_lag_bytes": lag // 2, "flush_lag_bytes": lag, "replay_lag_bytes": lag,
                              "write_lag_seconds": 0.5, "flush_lag_seconds": 1.0, "replay_lag_seconds": 2.5 * minutes,
                              "reply_time": now.isoformat()}],
                "slots": [{"slot_name": "standby_a", "slot_type": "physical", "database": None, "active": True,
                           "wal_status": "reserved", "safe_wal_size": None, "retained_bytes": lag}],
                "archived_count": 120, "failed_count": 3 + (3 - minutes),
                "last_archived_wal": "000000010000000000000077", "last_archived_at": now - dt.timedelta(minutes=30),
                "last_failed_wal": "000000010000000000000078", "last_failed_at": now - dt.timedelta(minutes=minutes),
            }, now - dt.timedelta(minutes=minutes))
    client = client_for(viewer)
    body = client.get(reverse("replication", args=[target.name]), {"range": "1h"}).content.decode()

    assert re.search(r'<tr data-replica="standby-a">.*?10.0.0.7.*?streaming.*?38.1\xa0MB', body, re.S)
    assert 'id="archiver-failing"' in body and "000000010000000000000078" in body
    assert re.search(r"Failures in the last 1h</dt><dd>2</dd>", body)   # 3 → 4 → 5 between the samples
    assert re.search(r"Age of last archived WAL</dt><dd>29 m", body)
    assert 'id="inactive-slots"' not in body
    lag = json.loads(client.get(reverse("chart", args=[target.name, "replication-lag"]), {"range": "1h"}).content)
    by_name = {t["name"]: t for t in lag["data"]}
    assert by_name["replay lag (bytes)"]["y"] == [5_000_000, 40_000_000]
    assert by_name["replay lag (seconds)"]["y"] == [5.0, 2.5] and by_name["replay lag (seconds)"]["yaxis"] == "y2"


def test_it_requires_login_and_reads_a_fixed_number_of_queries(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client], django_assert_max_num_queries: Any,
) -> None:
    target = target_db.make_target()
    url = reverse("replication", args=[target.name])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    assert run(target, "replication").ok
    client = client_for(viewer)
    client.get(url)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    empty = target_db.make_target("no-history-yet")
    assert "No replication collection yet" in client.get(reverse("replication", args=[empty.name])).content.decode()
