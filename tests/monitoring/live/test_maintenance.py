"""Maintenance now, read from a real VACUUM caught in the middle of its work."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from monitoring.live.maintenance import read_maintenance
from tests.monitoring.live.workloads import vacuum_waiting_on_a_pinned_page
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db


def test_it_shows_a_running_vacuum_with_its_progress(target_db: TargetDb) -> None:
    target = target_db.make_target()
    with vacuum_waiting_on_a_pinned_page(target_db) as pid:
        now = read_maintenance(target)
    worker = next(w for w in now.workers if w.pid == pid)
    assert worker.relation == "frozen_demo"
    assert worker.phase == "scanning heap"
    assert worker.heap_blks_total and worker.heap_blks_total > 10
    assert worker.scanned_pct is not None and 0 <= worker.scanned_pct < 100
    assert worker.wait_event == "BufferPin"
    assert not worker.is_autovacuum
    if target_db.major >= 17:
        assert worker.indexes_total == 0  # the progress columns PostgreSQL 17 added are read too
    assert worker.dead_items is not None


def test_it_reads_wraparound_distance_per_database_and_table(target_db: TargetDb) -> None:
    target = target_db.make_target()
    now = read_maintenance(target)
    this = next(d for d in now.databases if d.datname == target_db.dbname)
    assert this.freeze_max_age == 200_000_000 and this.xid_age > 0
    assert 0 < this.xid_pct < 1
    assert len(now.tables) == 15  # the oldest first, sizes read for those only
    assert all(a.xid_age >= b.xid_age for a, b in zip(now.tables, now.tables[1:], strict=False))
    assert all(t.freeze_max_age == 200_000_000 and t.total_bytes >= 0 for t in now.tables)
    assert now.settings.max_workers == 3 and now.settings.autovacuum == "on"


def test_it_maintenance_page_shows_the_vacuum_and_its_poller_redraws_when_it_moves(
    target_db: TargetDb, viewer: Any, client_for: Any,
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    url = reverse("maintenance", args=[target.name])
    poll: dict[str, Any] = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "maintenance-live"}
    idle = client.get(url, **poll).content.decode()
    assert "No vacuum or analyze is running." in idle
    version = idle.split('"X-Dbconsole-Version": "', 1)[1].split('"', 1)[0]
    with vacuum_waiting_on_a_pinned_page(target_db) as pid:
        busy = client.get(url, HTTP_X_DBCONSOLE_VERSION=version, **poll)
    assert busy.status_code == 200
    row = busy.content.decode().split(f'<tr data-pid="{pid}"', 1)[1].split("</tr>", 1)[0]
    assert "frozen_demo" in row and "scanning heap" in row and "manual" in row and "BufferPin" in row
