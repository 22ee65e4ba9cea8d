"""The history parts of the overview, locks, connections, maintenance and fleet pages in a real browser,
for a target whose history the real collectors filled: charts follow the time range, a past lock
incident replays its tree sample by sample. Screenshots go to artifacts/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User

from monitoring.collectors.runner import run
from tests.browser.conftest import login, screenshot, superuser_target
from tests.monitoring.views.history_data import (
    EVERYTHING,
    collect,
    invalid_index,
    lock_incident,
    near_overflow_sequences,
    statements_workload,
    temp_files,
)
from tests.support.targets import TargetDb

pytestmark = pytest.mark.browser


def _reveal_charts(page: Any) -> None:
    """Charts load when scrolled into view: bring each one in and wait until it is drawn."""
    from playwright.sync_api import expect

    for figure in page.locator("figure[data-chart]").all():
        figure.scroll_into_view_if_needed()
        expect(figure).to_have_attribute("data-state", re.compile("ready|error"))
    page.evaluate("window.scrollTo(0, 0)")


def _x_span_hours(page: Any, name: str) -> float:
    return float(page.evaluate("""(name) => {
        const plot = document.querySelector(`#chart-${name} .plot`);
        const [a, b] = plot.layout.xaxis.range;
        return (new Date(b.replace(' ', 'T')) - new Date(a.replace(' ', 'T'))) / 3600000;
    }""", name))


def _trace_names(page: Any, name: str) -> list[str]:
    return list(page.evaluate("(name) => document.querySelector(`#chart-${name} .plot`).data.map(t => t.name)", name))


def test_it_history_pages_follow_the_range_and_replay_a_past_lock_incident(
    page: Any, live_server: Any, pg18_db: TargetDb, viewer: User,
) -> None:
    from playwright.sync_api import expect

    target = superuser_target(pg18_db, "shop-db")
    near_overflow_sequences(pg18_db)
    invalid_index(pg18_db)
    collect(target, *EVERYTHING)
    statements_workload(pg18_db)
    temp_files(pg18_db)
    chain = lock_incident(pg18_db, target, samples=3, also=("activity",))
    collect(target, "database", "statements", "activity", "relations")
    broken = pg18_db.make_target("broken-db")
    broken.set_password("wrong-password-1")
    broken.save()
    assert not run(broken, "database").ok

    login(page, live_server.url, viewer)
    base = f"{live_server.url}/t/{target.name}"

    # -- overview: checks with severity, key charts over the range ----------------------------------
    page.goto(f"{base}/?range=1h")
    expect(page.locator("#health [data-check=sequences]")).to_have_attribute("data-status", "critical")
    expect(page.locator("#health [data-check=invalid_indexes]")).to_have_attribute("data-status", "warning")
    calls = page.locator("#chart-overview-calls")
    calls.scroll_into_view_if_needed()
    expect(calls).to_have_attribute("data-state", "ready")
    assert "range=1h" in (calls.get_attribute("hx-get") or "")
    assert round(_x_span_hours(page, "overview-calls")) == 1
    assert sum(page.evaluate("document.querySelector('#chart-overview-calls .plot').data[0].y")) > 0
    _reveal_charts(page)
    screenshot(page, "history-overview")

    page.locator(".range .presets").get_by_role("link", name="24h").click()
    page.wait_for_url(re.compile(r"range=24h"))
    calls = page.locator("#chart-overview-calls")
    calls.scroll_into_view_if_needed()
    expect(calls).to_have_attribute("data-state", "ready")
    assert "range=24h" in (calls.get_attribute("hx-get") or "")   # the chart asked for the new range
    assert round(_x_span_hours(page, "overview-calls")) == 24      # and drew it
    size = page.locator("#chart-overview-size")
    size.scroll_into_view_if_needed()
    expect(size).to_have_attribute("data-state", "ready")
    assert round(_x_span_hours(page, "overview-size")) == 24

    # -- locks: the incident on the timeline, replayed sample by sample ------------------------------
    page.goto(f"{base}/locks/?range=1h")
    expect(page.locator("#no-locks")).to_be_visible()
    incidents = page.locator("#incident-table tbody tr[data-incident]")
    expect(incidents).to_have_count(1)
    expect(incidents.first).to_contain_text("UPDATE chain_demo")
    expect(page.locator(".timeline .incident-bar")).to_have_count(1)
    incidents.first.locator("a").first.click()
    replay = page.locator("#lock-replay .replay")
    expect(replay).to_be_visible()
    page.wait_for_url(re.compile(r"/locks/incidents/\d+/"))
    tree = replay.locator(f"[data-root-pid='{chain.holder_pid}']")
    expect(tree).to_be_visible()
    rows = tree.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("root blocker")
    expect(rows.nth(1)).to_have_attribute("data-pid", str(chain.waiter_pids[0]))
    expect(rows.nth(2)).to_have_attribute("data-pid", str(chain.waiter_pids[1]))
    expect(replay).to_have_attribute("data-sample", "3")
    replay.get_by_role("link", name="◀ earlier").click()
    expect(page.locator("#lock-replay .replay")).to_have_attribute("data-sample", "2")
    expect(page.locator("#lock-replay [data-position]")).to_have_text("2")
    expect(page.locator(f"#lock-replay [data-root-pid='{chain.holder_pid}'] tbody tr")).to_have_count(3)
    screenshot(page, "history-locks-replay")

    # -- connections: history against max_connections, breakdown switch -----------------------------
    page.goto(f"{base}/connections/?range=1h")
    history = page.locator("#chart-connections-history")
    history.scroll_into_view_if_needed()
    expect(history).to_have_attribute("data-state", "ready")
    assert "idle in transaction" in _trace_names(page, "connections-history")
    page.locator("#connections-history .switch").get_by_role("link", name="by application").click()
    expect(page.locator("#connections-history")).to_have_attribute("data-by", "application")
    history = page.locator("#chart-connections-history")
    history.scroll_into_view_if_needed()
    expect(history).to_have_attribute("data-state", "ready")
    assert "by=application" in (history.get_attribute("hx-get") or "")
    assert {"chain-holder", "chain-waiter-1"} <= set(_trace_names(page, "connections-history"))
    _reveal_charts(page)
    screenshot(page, "history-connections")

    # -- maintenance: recency per table and the ages chart ------------------------------------------
    page.goto(f"{base}/maintenance/?range=1h")
    expect(page.locator("#vacuum-history tr[data-table='public.shop_orders']")).to_be_visible()
    _reveal_charts(page)
    expect(page.locator("#chart-maintenance-ages")).to_have_attribute("data-state", "ready")
    screenshot(page, "history-maintenance")

    # -- fleet: worst check, last collection, failing collectors -------------------------------------
    page.goto(f"{live_server.url}/targets/")
    expect(page.locator("#fleet tr[data-target='shop-db'] [data-health]")).to_have_attribute(
        "data-health", "critical")
    broken_row = page.locator("#fleet tr[data-target='broken-db']")
    expect(broken_row.locator("[data-health]")).to_have_attribute("data-health", "unknown")  # refused: blind
    broken_row.locator("summary").click()
    expect(broken_row.locator("li[data-collector='database']")).to_contain_text("password authentication failed")
    screenshot(page, "history-fleet")
