from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from monitoring.history import partitions
from monitoring.models import Event
from tests.monitoring.history.statement_data import make_target

pytestmark = pytest.mark.django_db


def names(table: str) -> list[str]:
    return [name for name, _start, _end in partitions.existing(partitions.by_name(table))]


def test_it_drops_whole_partitions_past_their_retention_and_keeps_the_rest(settings: Any) -> None:
    settings.RETENTION_RAW_DAYS, settings.RETENTION_HOURLY_DAYS = 7, 90
    now = timezone.now()
    old_raw, fresh_raw = now - dt.timedelta(days=9), now - dt.timedelta(days=6)
    old_hour = now - dt.timedelta(days=130)
    partitions.ensure_range("monitoring_database_raw", old_raw, now)
    partitions.ensure(partitions.by_name("monitoring_database_hour"), old_hour)
    target = make_target("retention")
    with connection.cursor() as cur:
        for table, at in (("monitoring_database_raw", old_raw), ("monitoring_database_raw", fresh_raw),
                          ("monitoring_database_hour", old_hour)):
            cur.execute(f"INSERT INTO {table} (target_id, captured_at) VALUES (%s, %s)", [target.pk, at])

    dropped = partitions.drop_expired(now)

    old_name = partitions.partition_name(partitions.by_name("monitoring_database_raw"),
                                         partitions.bounds("day", old_raw)[0])
    assert old_name in dropped and old_name not in names("monitoring_database_raw")
    assert partitions.partition_name(partitions.by_name("monitoring_database_hour"),
                                     partitions.bounds("month", old_hour)[0]) in dropped
    with connection.cursor() as cur:
        cur.execute("SELECT captured_at FROM monitoring_database_raw WHERE target_id = %s", [target.pk])
        assert [r[0] for r in cur.fetchall()] == [fresh_raw]
        cur.execute("SELECT count(*) FROM monitoring_database_hour WHERE target_id = %s", [target.pk])
        assert cur.fetchone()[0] == 0
    # a partition for today and the days ahead is always there, and dropping again finds nothing
    made = partitions.ensure_ahead(now)
    assert all(n in made for n in (partitions.partition_name(partitions.by_name("monitoring_stmt_raw"),
                                                             partitions.bounds("day", now + dt.timedelta(days=d))[0])
                                   for d in range(4)))
    assert partitions.drop_expired(now) == []


def test_it_expires_old_rows_of_the_small_tables(settings: Any) -> None:
    from monitoring.history.rollups import expire_small_tables

    settings.RETENTION_DAILY_DAYS = 30
    target = make_target("small-retention")
    now = timezone.now()
    Event.objects.create(target=target, at=now - dt.timedelta(days=31), kind="restart", dedupe_key="old")
    Event.objects.create(target=target, at=now - dt.timedelta(days=1), kind="restart", dedupe_key="new")

    assert expire_small_tables(now)["events"] == 1
    assert list(Event.objects.filter(target=target).values_list("dedupe_key", flat=True)) == ["new"]
