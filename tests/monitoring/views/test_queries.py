"""The queries page and a statement's page, over real history: statements run on a real target (PG 15
and 18) and collected by the real collector, or synthetic reads stored by the real store."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring.collectors.runner import run
from monitoring.history.rollups_statements import rollup_target
from monitoring.history.selectors.statements import StatementTotals
from monitoring.models import Statement, Target
from monitoring.ui.sqltext import FORMAT_MAX_CHARS, format_sql
from monitoring.ui.statements import PAGE_SIZE, csv_response
from tests.monitoring.history.statement_data import START, Workload, collect_series, expected, make_target
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db

LOOKUP = "select sku from qpage_items where id = %s"
COUNT = "select count(*) from qpage_items where qty > %s"
BUMP = "update qpage_items set qty = qty + %s where id = %s"
SPILL = "select count(*) from (select g from generate_series(%s, %s) g order by g desc) as s"
REPORT = "select max(qty) from qpage_items where sku like %s"
CALLS = {LOOKUP: 40, COUNT: 5, BUMP: 10, SPILL: 2, REPORT: 7}
SORTS = {"total_time": "total_ms", "calls": "calls", "mean": "mean_ms", "rows": "rows",
         "shared_blks_read": "shared_blks_read", "temp_blks": None, "io_time": None, "wal_bytes": "wal_bytes"}


@dataclass
class Shop:
    target: Target
    db: TargetDb
    reporter: str          # the second user's role name
    seqs: dict[str, int]   # workload SQL → statement seq


def _normalised(sql: str) -> str:
    """What pg_stat_statements shows for our parameterised SQL: each %s becomes $1, $2, …"""
    parts = sql.split("%s")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]


def _workload(db: TargetDb, reporter: str) -> None:
    with db.connect() as conn:
        for i in range(CALLS[LOOKUP]):
            conn.execute(LOOKUP, (i + 1,))
        for i in range(CALLS[COUNT]):
            conn.execute(COUNT, (i,))
        for i in range(CALLS[BUMP]):
            conn.execute(BUMP, (1, i + 1))
        conn.execute("SET work_mem = '64kB'")   # the sort spills: temp blocks
        for _ in range(CALLS[SPILL]):
            conn.execute(SPILL, (1, 60_000))
    with psycopg.connect(db.cluster.conninfo(db.dbname, user=reporter, password="reporter-secret-1"),
                         autocommit=True) as conn:
        for i in range(CALLS[REPORT]):
            conn.execute(REPORT, (f"sku-{i}%",))


@pytest.fixture
def shop(target_db: TargetDb) -> Iterator[Shop]:
    """A target whose history holds one collection interval of a known workload by two users."""
    reporter = f"rep_{target_db.dbname}"
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE qpage_items (id int PRIMARY KEY, sku text, qty int)")
        conn.execute("INSERT INTO qpage_items SELECT g, 'sku-' || g, g % 17 FROM generate_series(1, 2000) g")
        conn.execute("ANALYZE qpage_items")
        conn.execute(f"CREATE ROLE {reporter} LOGIN PASSWORD 'reporter-secret-1'")
        conn.execute(f"GRANT SELECT ON qpage_items TO {reporter}")
        conn.execute(f"GRANT CONNECT ON DATABASE {target_db.dbname} TO {reporter}")
    try:
        target = target_db.make_target()
        assert run(target, "statements").ok   # the baseline
        _workload(target_db, reporter)
        assert run(target, "statements").ok
        texts = {_normalised(sql): sql for sql in CALLS}
        seqs = {texts[s.text.text]: s.seq for s in Statement.objects.filter(target=target).select_related("text")
                if s.text and s.text.text in texts}
        assert set(seqs) == set(CALLS)
        yield Shop(target=target, db=target_db, reporter=reporter, seqs=seqs)
    finally:
        with target_db.connect() as conn:
            conn.execute(f"DROP OWNED BY {reporter}")
            conn.execute(f"DROP ROLE IF EXISTS {reporter}")


def _url(name: str, target: Target, *args: Any, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse(name, args=[target.name, *args]) + (f"?{query}" if query else "")


def _seqs_in_page(body: str) -> list[int]:
    return [int(s) for s in re.findall(r'<tr data-seq="(\d+)"', body)]


def _csv(client: Client, target: Target, **params: Any) -> list[dict[str, str]]:
    response = client.get(_url("queries", target, range="1h", csv=1, **params))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _metric(row: dict[str, str], sort: str) -> float:
    if sort == "temp_blks":
        return float(row["temp_blks_read"]) + float(row["temp_blks_written"])
    if sort == "mean":   # as the server divides: microseconds (exact in the CSV) by calls, in float8
        return round(float(row["exec_ms"]) * 1000) / int(row["calls"])
    if sort == "io_time":
        return float(row["io_read_ms"]) + float(row["io_write_ms"])
    return float(row[SORTS[sort] or sort])


def test_it_lists_the_collected_statements_with_the_counts_pg_stat_statements_showed(
        shop: Shop, viewer: User, client_for: Callable[[User], Client]) -> None:
    client = client_for(viewer)
    body = client.get(_url("queries", shop.target, range="1h")).content.decode()
    assert 'aria-current="page">Queries</a>' in body and 'id="as-of"' in body and "data as of" in body
    shown = _seqs_in_page(body)
    assert set(shop.seqs.values()) <= set(shown)
    assert body.count('<svg class="spark') == len(shown)   # a sparkline per row
    rows = {int(r["seq"]): r for r in _csv(client, shop.target)}
    for sql, calls in CALLS.items():
        row = rows[shop.seqs[sql]]
        assert int(row["calls"]) == calls, sql
        assert row["query"] == _normalised(sql)
    assert int(rows[shop.seqs[LOOKUP]]["rows"]) == CALLS[LOOKUP]       # one row per lookup
    assert int(rows[shop.seqs[BUMP]]["rows"]) == CALLS[BUMP]
    assert int(rows[shop.seqs[BUMP]]["wal_bytes"]) > 0
    spilled = rows[shop.seqs[SPILL]]
    assert int(spilled["temp_blks_written"]) > 0 and int(spilled["temp_blks_read"]) > 0
    assert rows[shop.seqs[REPORT]]["user"] == shop.reporter
    assert {r["database"] for r in rows.values()} == {shop.db.dbname}


@pytest.mark.parametrize("sort", list(SORTS))
def test_it_sorts_biggest_first_in_the_order_of_the_totals(
        shop: Shop, viewer: User, client_for: Callable[[User], Client], sort: str) -> None:
    client = client_for(viewer)
    rows = _csv(client, shop.target, sort=sort)
    keys = [(-_metric(r, sort), int(r["seq"])) for r in rows]
    assert keys == sorted(keys)                       # biggest first, ties by seq
    body = client.get(_url("queries", shop.target, range="1h", sort=sort)).content.decode()
    assert _seqs_in_page(body) == [int(r["seq"]) for r in rows][:PAGE_SIZE]
    assert re.search(r'aria-sort="descending" scope="col"><a class="sort active" href="\?[^"]*">', body)


def test_it_filters_by_database_user_and_text(shop: Shop, viewer: User,
                                               client_for: Callable[[User], Client]) -> None:
    client = client_for(viewer)
    everything = {int(r["seq"]) for r in _csv(client, shop.target)}
    assert {int(r["seq"]) for r in _csv(client, shop.target, database=shop.db.dbname)} == everything
    assert _csv(client, shop.target, database="nowhere") == []
    assert [int(r["seq"]) for r in _csv(client, shop.target, user=shop.reporter)] == [shop.seqs[REPORT]]
    assert [int(r["seq"]) for r in _csv(client, shop.target, q="QPAGE_items+WHERE+ID")] == [shop.seqs[LOOKUP]]
    body = client.get(_url("queries", shop.target, range="1h", q="qpage_items+where+id")).content.decode()
    assert _seqs_in_page(body) == [shop.seqs[LOOKUP]]
    assert 'id="queries-count">1\u20131 of 1 statement<' in body
    assert f'<option value="{shop.reporter}">' in body and f'<option value="{shop.db.dbname}">' in body
    none = client.get(_url("queries", shop.target, range="1h", q="no+such+text")).content.decode()
    assert "No statement matches these filters" in none


def test_it_exports_every_matching_statement_as_csv(shop: Shop, viewer: User,
                                                     client_for: Callable[[User], Client]) -> None:
    client = client_for(viewer)
    response = client.get(_url("queries", shop.target, range="1h", csv=1, q="qpage_items"))
    assert 'filename="' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["seq", "queryid", "database"] and rows[0][-1] == "query"
    # The workload, and the statements that created the table: the first collection stored what
    # pg_stat_statements had counted before it (cumulative since its stats reset).
    matching = set(Statement.objects.filter(target=shop.target, text__text__icontains="qpage_items")
                   .values_list("seq", flat=True))
    assert {shop.seqs[s] for s in (LOOKUP, COUNT, BUMP, REPORT)} < matching
    assert sorted(int(r[0]) for r in rows[1:]) == sorted(matching)


def test_it_writes_query_texts_that_look_like_formulas_as_text() -> None:
    row = StatementTotals(
        statement_id=1, seq=1, queryid=7, datname="db", usename="u", toplevel=True, preview="=HYPERLINK(1)",
        calls=1, plans=0, plan_ms=0.0, exec_ms=1.5, rows=0, shared_blks_hit=0, shared_blks_read=0,
        shared_blks_dirtied=0, shared_blks_written=0, temp_blks_read=0, temp_blks_written=0, io_read_ms=0.0,
        io_write_ms=0.0, wal_bytes=0)
    body = csv_response([row], "x").content.decode()
    assert body.splitlines()[1].endswith(",'=HYPERLINK(1)")


def test_it_statement_page_shows_the_formatted_text_identity_and_totals(
        shop: Shop, viewer: User, client_for: Callable[[User], Client]) -> None:
    seq = shop.seqs[LOOKUP]
    body = client_for(viewer).get(_url("query-detail", shop.target, seq, range="1h")).content.decode()
    assert '<pre class="sql" id="statement-sql">SELECT sku\nFROM qpage_items\nWHERE id = $1</pre>' in body
    stored = Statement.objects.get(target=shop.target, seq=seq)
    assert f'data-field="queryid">{stored.queryid}<' in body
    assert f'data-field="database">{shop.db.dbname}<' in body and 'data-field="toplevel">top level' in body
    assert f'data-metric="calls" title="{CALLS[LOOKUP]}">' in body
    for name in ("statement-calls", "statement-time", "statement-rows", "statement-io"):
        assert f'id="chart-{name}"' in body and f"/charts/{name}/?seq={seq}&amp;range=1h" in body
    # A viewer may read everything but is not offered EXPLAIN.
    assert 'id="explain-statement"' not in body and "EXPLAIN needs the operator role" in body


def test_it_texts_too_long_to_format_quickly_are_shown_as_stored() -> None:
    long = "select a from t where b in (" + ", ".join(f"${i}" for i in range(1, 1500)) + ")"
    assert len(long) > FORMAT_MAX_CHARS and format_sql(long) == long
    assert format_sql("select a from t where b = $1") == "SELECT a\nFROM t\nWHERE b = $1"


def _pgss(db: TargetDb, sql: str) -> dict[str, float]:
    with db.connect() as conn:
        row = conn.execute(
            "SELECT calls, total_exec_time, total_plan_time, rows, shared_blks_hit FROM pg_stat_statements "
            "WHERE query = %s AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (_normalised(sql),)).fetchone()
    assert row is not None
    return {"calls": row[0], "exec_ms": row[1], "total_ms": row[1] + row[2], "rows": row[3], "hit": row[4]}


def _figure(client: Client, target: Target, name: str, seq: int, **params: Any) -> dict[str, Any]:
    response = client.get(_url("chart", target, name, seq=seq, **params))
    assert response.status_code == 200, response.content
    figure: dict[str, Any] = json.loads(response.content)
    return figure


def _trace(figure: dict[str, Any], name: str) -> list[Any]:
    return next(t["y"] for t in figure["data"] if t["name"] == name)


def test_it_its_charts_draw_what_the_history_holds(shop: Shop, viewer: User,
                                                client_for: Callable[[User], Client]) -> None:
    client = client_for(viewer)
    seq = shop.seqs[LOOKUP]
    truth = _pgss(shop.db, LOOKUP)   # created after the baseline: its whole counters are the delta
    assert sum(_trace(_figure(client, shop.target, "statement-calls", seq, range="1h"), "calls")) == truth["calls"]
    time_figure = _figure(client, shop.target, "statement-time", seq, range="1h")
    assert sum(_trace(time_figure, "total time (ms)")) == pytest.approx(truth["total_ms"], abs=0.01)
    assert [m for m in _trace(time_figure, "mean time (ms)") if m is not None] == [
        pytest.approx(truth["exec_ms"] / truth["calls"], abs=0.01)]
    assert sum(_trace(_figure(client, shop.target, "statement-rows", seq, range="1h"), "rows")) == truth["rows"]
    io_figure = _figure(client, shop.target, "statement-io", seq, range="1h")
    assert sum(_trace(io_figure, "shared blocks hit")) == truth["hit"]
    # Before anything was collected: an empty figure that says why, not an error.
    before = {"from": "2026-01-01T00:00", "to": "2026-01-02T00:00"}
    earlier = _figure(client, shop.target, "statement-calls", seq, **before)
    assert earlier["data"] == [] and "no samples" in earlier["layout"]["annotations"][0]["text"]


def test_it_its_charts_mark_a_statistics_reset(target_db: TargetDb, viewer: User,
                                           client_for: Callable[[User], Client]) -> None:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE marks (id int PRIMARY KEY)")
    target = target_db.make_target()
    assert run(target, "statements").ok
    for _ in range(2):
        with target_db.connect() as conn:
            for i in range(3):
                conn.execute("select id from marks where id = %s", (i,))
        assert run(target, "statements").ok
        with target_db.connect() as conn:
            conn.execute("SELECT pg_stat_statements_reset()")
    seq = Statement.objects.get(target=target, text__text="select id from marks where id = $1").seq
    figure = _figure(client_for(viewer), target, "statement-calls", seq, range="1h")
    assert sum(_trace(figure, "calls")) == 6
    assert [s["name"] for s in figure["layout"].get("shapes", [])] == ["stats_reset"]


def test_it_foreign_or_unknown_statements_are_404(shop: Shop, target_db: TargetDb, operator: User,
                                               client_for: Callable[[User], Client]) -> None:
    other = target_db.make_target("other-shop")
    client = client_for(operator)
    seq = shop.seqs[LOOKUP]
    assert client.get(_url("query-detail", other, seq)).status_code == 404
    assert client.get(_url("chart", other, "statement-calls", seq=seq)).status_code == 404
    assert client.get(_url("chart", shop.target, "statement-io", seq="x")).status_code == 404
    assert client.get(_url("explain", other, statement=seq)).status_code == 404
    assert client.get(_url("query-detail", shop.target, 99_999)).status_code == 404


def test_it_requires_login(shop: Shop) -> None:
    anonymous = Client()
    for url in (_url("queries", shop.target), _url("query-detail", shop.target, shop.seqs[LOOKUP]),
                _url("chart", shop.target, "statement-calls", seq=shop.seqs[LOOKUP])):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_operator_takes_a_statement_to_explain_with_its_text(
        shop: Shop, operator: User, client_for: Callable[[User], Client]) -> None:
    client = client_for(operator)
    seq = shop.seqs[LOOKUP]
    detail = client.get(_url("query-detail", shop.target, seq)).content.decode()
    explain_url = _url("explain", shop.target, statement=seq)
    assert f'id="explain-statement" href="{explain_url}"' in detail
    page = client.get(explain_url).content.decode()
    assert f">\n{_normalised(LOOKUP)}</textarea>" in page
    assert re.search(r'<input type="checkbox" name="normalized"[^>]*checked', page)
    assert f'data-from-statement="{seq}"' in page


# -- synthetic history: many statements, no target needed -----------------------------------------

TIMES = [START + dt.timedelta(minutes=10 * i) for i in range(4)]
WINDOW = {"from": "2026-03-01T22:00", "to": "2026-03-01T23:00"}   # settings.TIME_ZONE is UTC; raw samples
LONGER = {"from": "2026-03-01T20:00", "to": "2026-03-01T23:30"}   # hourly rollups


def _synthetic(name: str, statements: int) -> tuple[Target, Workload]:
    target = make_target(name)
    workload = Workload(statements=statements)
    collect_series(target, workload, TIMES)
    return target, workload


def _page_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_it_page_costs_the_same_queries_for_5_and_50_statements(
        viewer: User, client_for: Callable[[User], Client], django_assert_max_num_queries: Any) -> None:
    client = client_for(viewer)
    counts = []
    for n in (5, 50):
        target, _workload = _synthetic(f"synthetic-{n}", n)
        url = _url("queries", target, **WINDOW)
        with django_assert_max_num_queries(12):
            body = client.get(url).content.decode()
        assert len(_seqs_in_page(body)) >= n * 0.8   # most statements ran in three steps
        counts.append(_page_queries(client, url))
        seq = Statement.objects.filter(target=target).order_by("seq").values_list("seq", flat=True).first()
        counts.append(_page_queries(client, _url("query-detail", target, seq, **WINDOW)))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


def test_it_sparklines_and_pages_follow_the_stored_deltas(viewer: User, client_for: Callable[[User], Client]) -> None:
    target, workload = _synthetic("synthetic-pages", PAGE_SIZE + 12)
    client = client_for(viewer)
    first = client.get(_url("queries", target, sort="calls", **WINDOW)).content.decode()
    want = expected(workload, TIMES[0], TIMES[-1] + dt.timedelta(minutes=1))
    ran = sorted(((-d["calls"], qid) for qid, d in want.items() if d["calls"]))
    assert f"1\u2013{PAGE_SIZE} of {len(ran)} statements" in first
    seq_of = dict(Statement.objects.filter(target=target).values_list("queryid", "seq"))
    top_qid = min(ran, key=lambda k: (k[0], seq_of[k[1]]))[1]
    peak = max(workload.deltas.get((at, top_qid), {}).get("calls", 0) for at in TIMES)
    row = re.search(rf'<tr data-seq="{seq_of[top_qid]}">.*?</tr>', first, re.S)
    assert row is not None and f'data-points="{len(TIMES) - 1}" data-peak="{peak}"' in row.group(0)
    second = client.get(_url("queries", target, sort="calls", page=2, **WINDOW)).content.decode()
    assert len(_seqs_in_page(second)) == len(ran) - PAGE_SIZE
    assert f"{PAGE_SIZE + 1}\u2013{len(ran)} of {len(ran)}" in second
    assert not set(_seqs_in_page(first)) & set(_seqs_in_page(second))
    beyond = client.get(_url("queries", target, sort="calls", page=9, **WINDOW)).content.decode()
    assert _seqs_in_page(beyond) == _seqs_in_page(second)   # a page past the end shows the last one
    # Over hours, sparklines come from the hourly rollup: one bucket holding the whole hour here.
    rollup_target(target.pk)
    hourly = client.get(_url("queries", target, sort="calls", **LONGER)).content.decode()
    row = re.search(rf'<tr data-seq="{seq_of[top_qid]}">.*?</tr>', hourly, re.S)
    assert row is not None and f'data-points="1" data-peak="{-ran[0][0]}"' in row.group(0)


def test_it_says_when_nothing_was_collected_or_nothing_ran(
        target_db: TargetDb, viewer: User, client_for: Callable[[User], Client]) -> None:
    client = client_for(viewer)
    target = target_db.make_target()
    assert 'id="no-statements"' in client.get(_url("queries", target)).content.decode()
    assert run(target, "statements").ok   # the first collection: what pg_stat_statements already counted
    body = client.get(_url("queries", target)).content.decode()
    assert 'id="no-statements"' not in body and 'id="queries-cumulative"' in body
    assert '<span class="badge cumulative"' in body
    synthetic, _ = _synthetic("synthetic-quiet", 3)
    quiet = client.get(_url("queries", synthetic, **{"from": "2026-03-02T05:00", "to": "2026-03-02T06:00"}))
    assert "No statement ran in this range" in quiet.content.decode()
