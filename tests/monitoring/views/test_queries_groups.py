"""The queries page on a real target (PG 15 and 18): dbconsole's own statements hidden by default
behind a toggle, one row per normalized text with a way to split it, and a young target's page and
charts at the default range showing what the history holds."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.collectors.runner import run
from monitoring.models import Statement, Target
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db

SHARED = "select count(*) from gitems where id > %s"   # run with two parameter types and by two roles
OWN = "select /* dbconsole */ count(*) from gitems where id < %s"
NOT_OWN = "select count(*) from gitems where id <> %s /* dbconsole */"   # the marker, not where ours sit
PASSWORD = "grouper-secret-1"


@dataclass
class Grouped:
    target: Target
    db: TargetDb
    role: str
    shared: list[Statement]   # the three statements with SHARED's text, oldest first
    own: Statement
    not_own: Statement


def _text(sql: str) -> str:
    parts = sql.split("%s")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]


@pytest.fixture
def grouped(target_db: TargetDb) -> Iterator[Grouped]:
    role = f"grp_{target_db.dbname}"
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE gitems (id int PRIMARY KEY)")
        conn.execute("INSERT INTO gitems SELECT generate_series(1, 100)")
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'")
        conn.execute(f"GRANT SELECT ON gitems TO {role}")
        conn.execute(f"GRANT CONNECT ON DATABASE {target_db.dbname} TO {role}")
    try:
        target = target_db.make_target()
        assert run(target, "statements").ok   # the baseline
        with target_db.connect() as conn:
            for i in range(5):
                conn.execute(SHARED, (i,))            # psycopg sends a small int as int2
            for i in range(4):
                conn.execute(OWN, (i,))
            for i in range(6):
                conn.execute(NOT_OWN, (i,))
            for i in range(3):
                conn.execute(SHARED, (100_000 + i,))  # int4: another operator, another queryid, same text
        with psycopg.connect(target_db.cluster.conninfo(target_db.dbname, user=role, password=PASSWORD),
                             autocommit=True) as conn:
            for i in range(2):
                conn.execute(SHARED, (i,))
        assert run(target, "statements").ok
        by_text = Statement.objects.filter(target=target).select_related("text").order_by("seq")
        shared = [s for s in by_text if s.text and s.text.text == _text(SHARED)]
        assert len(shared) == 3 and len({s.queryid for s in shared}) == 2
        own = next(s for s in by_text if s.text and s.text.text == _text(OWN))
        not_own = next(s for s in by_text if s.text and s.text.text == _text(NOT_OWN))
        yield Grouped(target=target, db=target_db, role=role, shared=shared, own=own, not_own=not_own)
    finally:
        with target_db.connect() as conn:
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE IF EXISTS {role}")


def _url(name: str, target: Target, *args: Any, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse(name, args=[target.name, *args]) + (f"?{query}" if query else "")


def _rows(body: str) -> dict[int, str]:
    return {int(seq): row for seq, row in re.findall(r'<tr data-seq="(\d+)">(.*?)</tr>', body, re.S)}


def _calls(row: str) -> int:
    found = re.search(r'data-col="calls" title="(\d+)"', row)
    assert found is not None
    return int(found.group(1))


def test_it_hides_dbconsoles_own_statements_until_asked(
        grouped: Grouped, viewer: User, client_for: Callable[[User], Client]) -> None:
    client = client_for(viewer)
    body = client.get(_url("queries", grouped.target)).content.decode()
    rows = _rows(body)
    assert grouped.own.seq not in rows
    assert grouped.not_own.seq in rows and _calls(rows[grouped.not_own.seq]) == 6   # a marker elsewhere
    assert re.search(r'id="own-toggle" href="\?own=1" aria-pressed="false"', body)
    shown = client.get(_url("queries", grouped.target, own=1)).content.decode()
    assert _calls(_rows(shown)[grouped.own.seq]) == 4
    assert re.search(r'id="own-toggle" href="\?" aria-pressed="true"', shown)
    exported = client.get(_url("queries", grouped.target, csv=1)).content.decode()
    assert _text(OWN) not in exported and _text(NOT_OWN) in exported
    assert _text(OWN) in client.get(_url("queries", grouped.target, csv=1, own=1)).content.decode()


def test_it_makes_one_row_of_one_normalized_text_and_splits_it_on_request(
        grouped: Grouped, viewer: User, client_for: Callable[[User], Client]) -> None:
    client = client_for(viewer)
    first, *others = grouped.shared
    body = client.get(_url("queries", grouped.target, sort="calls")).content.decode()
    rows = _rows(body)
    assert first.seq in rows and not {s.seq for s in others} & set(rows)
    assert _calls(rows[first.seq]) == 10
    assert f'data-seqs="{" ".join(str(s.seq) for s in grouped.shared)}"' in rows[first.seq]
    assert ">3 statements</span>" in rows[first.seq] and grouped.role in rows[first.seq]
    assert 'data-peak="10"' in rows[first.seq]   # the sparkline adds the group up too
    split = _rows(client.get(_url("queries", grouped.target, sort="calls", split=1)).content.decode())
    assert sorted(_calls(split[s.seq]) for s in grouped.shared) == [2, 3, 5]
    assert "statements</span>" not in "".join(split.values())
    detail = client.get(_url("query-detail", grouped.target, first.seq)).content.decode()
    same = re.search(r'<p class="hint" id="same-text">(.*?)</p>', detail, re.S)
    assert same is not None and [int(s) for s in re.findall(r">#(\d+)</a>", same.group(1))] == [
        s.seq for s in others]


def test_it_shows_a_young_targets_history_at_the_default_range(
        grouped: Grouped, viewer: User, client_for: Callable[[User], Client]) -> None:
    """Minutes of history under the default 24 hours: the page says where the history starts, and
    the sparklines and the statement's charts draw those minutes, with the calls the page counts."""
    client = client_for(viewer)
    body = client.get(_url("queries", grouped.target)).content.decode()
    assert re.search(r'id="history-note">History starts at \d\d:\d\d, \d[^<]* ago: charts and trends show '
                     r"the part of the last 24h that has data", body)
    row = _rows(client.get(_url("queries", grouped.target, sort="calls")).content.decode())[grouped.not_own.seq]
    # A point per collection (the first one's cumulative sample held nothing of it yet), its 6 calls.
    assert re.search(r'<svg class="spark" [^>]*data-points="[12]" data-peak="6"', row)
    detail = client.get(_url("query-detail", grouped.target, grouped.not_own.seq)).content.decode()
    assert 'data-metric="calls" title="6"' in detail and 'id="history-note"' in detail
    response = client.get(_url("chart", grouped.target, "statement-calls", seq=grouped.not_own.seq))
    figure = json.loads(response.content)
    assert sum(next(t["y"] for t in figure["data"] if t["name"] == "calls")) == 6
    drawn_from = dt.datetime.fromisoformat(figure["layout"]["xaxis"]["range"][0]).replace(tzinfo=dt.UTC)
    assert timezone.now() - drawn_from < dt.timedelta(minutes=30)   # not 24 hours of nothing
