"""Partitioned tables and rollups are declared by the history modules that write them and discovered by
``partitions`` and ``rollups``: checked against the tables the migrations really created."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

import monitoring.history as package
from monitoring.history import partitions, rollups

PROBE = "probe_dropped_in"


def partitioned_tables_in_the_store() -> set[str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_partitioned_table AS p JOIN pg_class AS c ON c.oid = p.partrelid "
            "WHERE c.relname LIKE 'monitoring\\_%%'"
        )
        return {row[0] for row in cur.fetchall()}


@pytest.mark.django_db
def test_it_declares_every_partitioned_table_of_the_history_store_once() -> None:
    in_store = partitioned_tables_in_the_store()
    declared = [t.name for t in partitions.tables()]

    assert len(in_store) >= 14   # the store has them: the comparison below is not between two empty sets
    assert sorted(declared) == sorted(in_store)


def test_it_rolls_up_every_hourly_and_daily_table_from_a_declared_table() -> None:
    tables = {t.name for t in partitions.tables()}
    written = [name for rollup in rollups.registered() for name in rollup.writes]

    assert sorted(written) == sorted(t for t in tables if t.endswith(("_hour", "_day")))
    for step in rollups.registered():
        if isinstance(step, rollups.Downsample):
            assert step.source in tables
    # a day is built from its hours: within a module the hourly step is declared first
    order = [r.name for r in rollups.registered()]
    for day in (n for n in order if n.endswith("_day")):
        hour = day.removesuffix("_day") + "_hour"
        if hour in order:
            assert order.index(hour) < order.index(day)


@pytest.fixture
def dropped_module(tmp_path: Path) -> Iterator[None]:
    """A history module in a folder of the package's search path, removed again afterwards."""
    (tmp_path / f"{PROBE}.py").write_text(textwrap.dedent('''
        from monitoring.history.partitions import DAY, RAW, PartitionedTable
        from monitoring.history.rollups import Downsample

        PARTITIONED = (PartitionedTable("monitoring_probe_raw", DAY, RAW),)
        ROLLUPS = (Downsample("monitoring_probe_raw", "monitoring_probe_hour", "hour"),)
    '''))
    package.__path__.append(str(tmp_path))
    try:
        yield
    finally:
        package.__path__.remove(str(tmp_path))
        sys.modules.pop(f"monitoring.history.{PROBE}", None)


def test_it_picks_up_the_declarations_of_a_module_dropped_into_the_package(dropped_module: None) -> None:
    assert partitions.by_name("monitoring_probe_raw").grain == partitions.DAY
    assert "monitoring_probe_hour" in {r.name for r in rollups.registered()}


def test_it_refuses_a_table_declared_twice(dropped_module: None, tmp_path: Path) -> None:
    (tmp_path / "probe_twice.py").write_text(
        "from monitoring.history.partitions import DAY, RAW, PartitionedTable\n"
        "PARTITIONED = (PartitionedTable('monitoring_probe_raw', DAY, RAW),)\n"
    )
    try:
        with pytest.raises(ValueError, match="declared twice"):
            partitions.tables()
    finally:
        sys.modules.pop("monitoring.history.probe_twice", None)
