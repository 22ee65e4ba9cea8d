"""The queries pages in a real browser: statements collected from a real target, sorting, a statement's
charts following the time range, and its EXPLAIN button ending in a plan. Screenshots to artifacts/."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from monitoring.collectors.runner import run
from monitoring.history.rollups_statements import rollup_target
from tests.browser.conftest import login, screenshot
from tests.support.targets import MONITOR_ROLE, TargetDb

pytestmark = pytest.mark.browser

LOOKUP = "select sku, qty from shelf where id = %s"
SCAN = "select count(*) from shelf where qty > %s"


def _x_span_hours(page: Any, chart: str) -> int:
    span = page.evaluate("""(id) => {
        const plot = document.querySelector('#' + id + ' .plot');
        const [a, b] = plot.layout.xaxis.range;
        return (new Date(b.replace(' ', 'T')) - new Date(a.replace(' ', 'T'))) / 3600000;
    }""", f"chart-{chart}")
    return round(span)


def test_it_queries_pages_list_chart_and_explain_collected_statements(
    page: Any, live_server: Any, pg18_db: TargetDb, operator: User,
) -> None:
    from playwright.sync_api import expect

    with pg18_db.connect() as conn:
        conn.execute("CREATE TABLE shelf (id int PRIMARY KEY, sku text, qty int)")
        conn.execute("INSERT INTO shelf SELECT g, 'sku-' || g, g % 40 FROM generate_series(1, 5000) g")
        conn.execute("ANALYZE shelf")
        conn.execute(f"GRANT SELECT ON shelf TO {MONITOR_ROLE}")
    target = pg18_db.make_target("shelf-db")
    assert run(target, "statements").ok
    with pg18_db.connect() as conn:
        for i in range(30):
            conn.execute(LOOKUP, (i + 1,))
        for i in range(4):
            conn.execute(SCAN, (i,))
    assert run(target, "statements").ok
    rollup_target(target.pk)   # as the rollup task would: ranges over 6 h are drawn from hourly rows

    login(page, live_server.url, operator)
    page.goto(f"{live_server.url}/t/{target.name}/queries/?range=1h")
    table = page.locator("#queries-table")
    expect(table).to_contain_text("from shelf where id = $1")
    expect(page.locator("#as-of")).to_contain_text("data as of")
    expect(page.locator("#queries-table svg.spark").first).to_be_visible()
    screenshot(page, "queries")

    page.locator("#queries-table thead").get_by_role("link", name="Calls").click()
    page.wait_for_url(re.compile(r"sort=calls"))
    first = page.locator("#queries-table tbody tr").first
    expect(first).to_contain_text("from shelf where id = $1")
    expect(first.locator("td[data-col=calls]")).to_have_text("30")
    page.fill("#queries-filters input[name=q]", "COUNT(*) FROM SHELF")
    page.locator("#queries-filters").get_by_role("button", name="Filter").click()
    expect(page.locator("#queries-table tbody tr")).to_have_count(1)
    expect(page.locator("#queries-count")).to_contain_text("of 1 statement")

    page.goto(f"{live_server.url}/t/{target.name}/queries/?range=1h&sort=calls")
    page.locator("#queries-table tbody tr").first.locator("a.query").click()
    page.wait_for_url(re.compile(r"/queries/\d+/\?range=1h"))
    expect(page.locator("#statement-sql")).to_have_text(re.compile(r"^SELECT sku,\s+qty\nFROM shelf\nWHERE id = \$1$"))
    expect(page.locator("[data-metric=calls]")).to_have_text("30")
    for name in ("statement-calls", "statement-time", "statement-rows", "statement-io"):
        expect(page.locator(f"#chart-{name}")).to_have_attribute("data-state", "ready")
    one_hour = _x_span_hours(page, "statement-calls")
    screenshot(page, "query-detail")

    page.locator(".range .presets").get_by_role("link", name="7d").click()
    page.wait_for_url(re.compile(r"range=7d"))
    expect(page.locator("#chart-statement-calls")).to_have_attribute("data-state", "ready")
    # The history is minutes old: both ranges are drawn from where it starts (not a week of nothing with
    # the calls squeezed to the right edge), and the week's chart has the calls the page counts.
    assert (one_hour, _x_span_hours(page, "statement-calls")) == (0, 0)
    expect(page.locator("#history-note")).to_contain_text("History starts at")
    expect(page.locator("[data-metric=calls]")).to_have_text("30")   # the same calls, over a longer range
    calls = page.evaluate("document.querySelector('#chart-statement-calls .plot').data[0].y")
    assert sum(calls) == 30
    screenshot(page, "query-detail-7d")

    page.locator("#explain-statement").click()
    page.wait_for_url(re.compile(r"/explain/\?statement=\d+"))
    expect(page.locator("textarea[name=sql]")).to_have_value("select sku, qty from shelf where id = $1")
    expect(page.locator("input[name=normalized]")).to_be_checked()
    page.get_by_role("button", name="Explain").click()
    expect(page.locator(".plan")).to_contain_text("Generic plan")
    expect(page.locator(".plan-tree .node").first).to_contain_text("Index Scan")
    screenshot(page, "query-explain")

    # A window before anything was collected: the list says so, instead of showing stale rows.
    page.goto(f"{live_server.url}/t/{target.name}/queries/?range=1h")
    start, end = (timezone.localtime() - dt.timedelta(days=d) for d in (3, 2))
    page.locator(".range summary").click()
    page.fill(".range input[name=from]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill(".range input[name=to]", end.strftime("%Y-%m-%dT%H:%M"))
    page.locator(".range").get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"from=.*&to="))
    expect(page.locator("#queries-empty")).to_be_visible()
    expect(page.locator("#queries-table tbody tr[data-seq]")).to_have_count(0)
    screenshot(page, "queries-empty-range")
