"""The indexes, tables, settings and replication pages of a target with collected history, in a real
browser: flags and charts render, an index's scans chart opens on click. Screenshots go to artifacts/."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User

from monitoring.collectors.runner import run
from tests.browser.conftest import login, screenshot
from tests.support.targets import MONITOR_ROLE, TargetDb

pytestmark = pytest.mark.browser


def plant(db: TargetDb) -> None:
    with db.connect() as conn:
        conn.execute("CREATE TABLE orders (id int PRIMARY KEY, customer int, status text, note text)")
        conn.execute("INSERT INTO orders SELECT g, g % 300, CASE WHEN g % 9 = 0 THEN 'open' ELSE 'done' END, "
                     "md5(g::text) FROM generate_series(1, 30000) g")
        conn.execute("CREATE INDEX orders_customer ON orders (customer)")
        conn.execute("CREATE INDEX orders_customer_status ON orders (customer, status)")
        conn.execute("CREATE INDEX orders_status ON orders (status)")
        conn.execute("CREATE INDEX orders_id_copy ON orders (id)")
        conn.execute("CREATE INDEX orders_note ON orders (note)")
        conn.execute("DELETE FROM orders WHERE id % 3 = 0")
        conn.execute("CREATE TABLE emails (id int, email text)")
        conn.execute("INSERT INTO emails VALUES (1, 'ann@example.com'), (2, 'ann@example.com')")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY emails_email ON emails (email)")
        conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {MONITOR_ROLE}")
    with db.connect() as conn:
        conn.execute("ANALYZE")


def test_it_space_pages_render_with_flags_and_charts(
    page: Any, live_server: Any, pg15_db: TargetDb, viewer: User,
) -> None:
    from playwright.sync_api import expect

    plant(pg15_db)
    target = pg15_db.make_target("shop-db")
    for collector in ("relations", "bloat", "settings", "replication"):
        assert run(target, collector).ok, collector
    with pg15_db.connect() as conn:
        conn.execute("SET enable_seqscan = off")
        conn.execute("SELECT count(*) FROM orders WHERE note = md5('7')")   # only orders_note serves it
        conn.execute("INSERT INTO orders SELECT g, g % 300, 'open', md5(g::text) FROM generate_series(40001, 65000) g")
        conn.execute("VACUUM (ANALYZE) orders")   # sizes are pg_class.relpages, kept current by VACUUM
    for collector in ("relations", "replication"):
        assert run(target, collector).ok, collector

    login(page, live_server.url, viewer)
    base = f"{live_server.url}/t/{target.name}"

    page.goto(f"{base}/indexes/?range=1h")
    expect(page.locator("tr[data-index='public.emails_email']")).to_contain_text("invalid")
    expect(page.locator("tr[data-index='public.orders_id_copy']")).to_contain_text("duplicate of orders_pkey")
    expect(page.locator("tr[data-index='public.orders_customer']")).to_contain_text("redundant")
    expect(page.locator("tr[data-index='public.orders_status']")).to_contain_text("unused")
    expect(page.locator("tr[data-index='public.orders_pkey'] [data-drop]")).to_have_count(0)
    page.locator("tr[data-index='public.orders_note'] [data-chart-link]").click()
    chart = page.locator("#chart-index-scans")
    expect(chart).to_have_attribute("data-state", "ready")
    expect(chart).to_contain_text("Scans of public.orders_note")
    bars = page.evaluate("document.querySelector('#chart-index-scans .plot').data[0].y")
    assert sum(bars) >= 1
    assert page.url.endswith("/indexes/?range=1h")   # htmx swapped the chart in; the page stayed
    screenshot(page, "indexes")

    page.goto(f"{base}/tables/?range=1h")
    expect(page.locator("#chart-largest-tables")).to_have_attribute("data-state", "ready")
    expect(page.locator("tr[data-table='public.orders'] [data-growth='7d']")).to_contain_text("+")
    expect(page.locator("tr[data-table='public.orders'] [data-bloat='exact']")).not_to_have_text("—")
    traces = page.evaluate("document.querySelector('#chart-largest-tables .plot').data.map(t => t.name)")
    assert "public.orders" in traces
    screenshot(page, "tables")

    page.goto(f"{base}/settings/?range=24h")   # those not at their default, then all on request
    expect(page.locator("#current-settings tr[data-setting='enable_seqscan']")).to_have_count(0)
    page.locator("#all-settings-toggle").click()
    page.wait_for_url("**all=1**")
    expect(page.locator("#current-settings tr[data-setting='work_mem']")).to_contain_text("4096")
    expect(page.locator("#setting-changes")).to_contain_text("No setting changed in this range.")
    screenshot(page, "settings")

    page.goto(f"{base}/replication/?range=1h")
    expect(page.locator("#no-replicas")).to_be_visible()
    expect(page.locator("#no-slots")).to_be_visible()
    expect(page.locator("#archiving-off")).to_be_visible()
    expect(page.locator("#chart-replication-lag")).to_have_attribute("data-state", "ready")
    screenshot(page, "replication")
