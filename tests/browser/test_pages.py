"""Every page of a busy target in a real browser: lock tree brought by the poller, cancel with audit,
viewer refused, the time range driving the charts. Screenshots of each page go to artifacts/."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from dbconsole.formatting import format_duration
from dbconsole.models import AuditEvent
from tests.browser.conftest import login, screenshot, superuser_target
from tests.monitoring.live.workloads import vacuum_waiting_on_a_pinned_page
from tests.support.targets import TargetDb
from tests.support.workload import blocking_chain

pytestmark = pytest.mark.browser


@contextlib.contextmanager
def busy_shop(db: TargetDb) -> Iterator[None]:
    """A small schema and a long-running report, so the pages have something to show."""
    with db.connect() as conn:
        conn.execute("""
            CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY, customer int, status text, total numeric);
            INSERT INTO orders SELECT g, g % 300, CASE WHEN g % 50 = 0 THEN 'open' ELSE 'done' END, g * 1.25
              FROM generate_series(1, 20000) g ON CONFLICT DO NOTHING;
            ANALYZE orders;
        """)
    report = psycopg.connect(db.cluster.conninfo(db.dbname), autocommit=True, application_name="reporting")
    thread = threading.Thread(target=_run_quietly, args=(report,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        with db.connect() as conn:
            conn.execute("SELECT pg_cancel_backend(%s)", (report.info.backend_pid,))
        thread.join(timeout=10)
        report.close()


def _run_quietly(conn: psycopg.Connection[Any]) -> None:
    with contextlib.suppress(psycopg.Error):
        conn.execute("SELECT pg_sleep(300), count(*) FROM orders /* monthly revenue report */")


def test_it_lock_tree_appears_without_a_reload_and_an_operator_cancels_the_blocked_backend(
    page: Any, live_server: Any, pg18_db: TargetDb, operator: User,
) -> None:
    from playwright.sync_api import expect

    target = superuser_target(pg18_db, "orders-db")
    login(page, live_server.url, operator)
    page.goto(f"{live_server.url}/t/{target.name}/locks/")
    expect(page.locator("#no-locks")).to_be_visible()

    with busy_shop(pg18_db), blocking_chain(pg18_db, waiters=2) as chain:
        tree = page.locator(f"[data-root-pid='{chain.holder_pid}']")
        expect(tree).to_be_visible()  # no reload: the poller brought it
        rows = tree.locator("tbody tr")
        expect(rows).to_have_count(3)
        expect(rows.nth(0)).to_have_attribute("data-pid", str(chain.holder_pid))
        expect(rows.nth(0)).to_contain_text("root blocker")
        expect(rows.nth(1)).to_contain_text("ShareLock")
        expect(rows.nth(2)).to_have_attribute("data-pid", str(chain.waiter_pids[1]))
        screenshot(page, "locks")

        blocked = chain.waiter_pids[1]
        page.goto(f"{live_server.url}/t/{target.name}/activity/")
        row = page.locator(f"#activity-table tr[data-pid='{blocked}']")
        expect(row).to_contain_text("Lock: tuple")
        screenshot(page, "activity")
        row.get_by_role("link", name="Cancel…").click()
        dialog = page.locator("#confirm-dialog")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text(f"Cancel the running query of backend {blocked}?")
        expect(dialog).to_contain_text("UPDATE chain_demo SET v = v + 1 WHERE id = 1")
        expect(dialog).to_contain_text(pg18_db.cluster.superuser)
        screenshot(page, "activity-cancel-confirm")
        dialog.get_by_role("button", name=f"Cancel query of {blocked}").click()
        expect(dialog).to_contain_text(f"Done: cancelled the running query of backend {blocked}")
        dialog.get_by_role("link", name="Close").click()
        # The page refreshes at once (HX-Trigger): the cancelled waiter is idle now, off the busy list.
        expect(page.locator(f"#activity-table tr[data-pid='{blocked}']")).to_have_count(0)

        page.goto(f"{live_server.url}/t/{target.name}/locks/")
        expect(page.locator(f"[data-root-pid='{chain.holder_pid}'] tbody tr")).to_have_count(2)

    page.goto(f"{live_server.url}/audit/")
    audit_row = page.locator("#audit-table tbody tr").first
    expect(audit_row).to_contain_text("backend.cancel")
    expect(audit_row).to_contain_text(operator.get_username())
    expect(audit_row).to_contain_text(f"pid={blocked}")
    screenshot(page, "audit-log")
    assert AuditEvent.objects.filter(action="backend.cancel", details__pid=blocked, details__ok=True).exists()


def test_it_viewer_sees_no_cancel_button_and_gets_403_forcing_it(
    page: Any, live_server: Any, pg18_db: TargetDb, viewer: User,
) -> None:
    from playwright.sync_api import expect

    target = superuser_target(pg18_db, "orders-db")
    login(page, live_server.url, viewer)
    with blocking_chain(pg18_db, waiters=1) as chain:
        page.goto(f"{live_server.url}/t/{target.name}/activity/")
        expect(page.locator(f"#activity-table tr[data-pid='{chain.waiter_pids[0]}']")).to_be_visible()
        expect(page.get_by_role("link", name="Cancel…")).to_have_count(0)
        expect(page.get_by_role("link", name="Terminate…")).to_have_count(0)
        page.goto(f"{live_server.url}/t/{target.name}/locks/")
        expect(page.locator(f"[data-root-pid='{chain.holder_pid}']")).to_be_visible()
        expect(page.get_by_role("link", name="Cancel…")).to_have_count(0)

        forced = page.goto(f"{live_server.url}/t/{target.name}/backends/{chain.holder_pid}/terminate/")
        assert forced is not None and forced.status == 403
        screenshot(page, "forbidden")
        # The POST too, with a valid CSRF token taken from the page, as htmx would send it.
        page.goto(f"{live_server.url}/t/{target.name}/activity/")
        status = page.evaluate("""async (url) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
            const body = new URLSearchParams({backend_start: '2025-01-01T00:00:00+00:00'});
            const response = await fetch(url, {method: 'POST', body, headers: {'X-CSRFToken': token}});
            return response.status;
        }""", f"/t/{target.name}/backends/{chain.holder_pid}/terminate/")
        assert status == 403
        holder_alive = page.locator(f"#activity-table tr[data-pid='{chain.holder_pid}']")
        expect(holder_alive).to_be_visible()
    assert not AuditEvent.objects.filter(action__startswith="backend.").exists()


def test_it_every_page_renders_in_the_browser_and_the_range_drives_the_charts(
    page: Any, live_server: Any, pg18_db: TargetDb, operator: User,
) -> None:
    from playwright.sync_api import expect

    target = superuser_target(pg18_db, "orders-db")
    pg18_db.make_target("billing-db", tags=["prod"])
    login(page, live_server.url, operator)
    base = f"{live_server.url}/t/{target.name}"
    with busy_shop(pg18_db), blocking_chain(pg18_db, waiters=1):
        page.goto(f"{live_server.url}/targets/")
        expect(page.locator("#fleet tbody tr")).to_have_count(2)
        screenshot(page, "fleet")

        page.goto(f"{base}/")
        expect(page.locator("[data-metric=connections]")).to_have_text(re.compile(r"^\d+ / 200$"))
        expect(page.locator("#chart-connections-by-state")).to_have_attribute("data-state", "ready")
        screenshot(page, "overview")

        page.goto(f"{base}/activity/")
        expect(page.locator("#activity-table")).to_contain_text("monthly revenue report")
        # Durations tick in the browser with the same format the server renders.
        for seconds in (0.4, 12, 75, 3725, 200_000):
            assert page.evaluate("s => dbconsole.formatAge(s)", seconds) == format_duration(seconds)
        assert page.evaluate("dbconsole.live()") is True
        page.get_by_role("button", name="Pause").click()
        assert page.evaluate("dbconsole.live()") is False  # pollers skip their ticks while paused
        page.get_by_role("button", name="Resume").click()

        page.goto(f"{base}/connections/?range=1h")
        expect(page.locator("[data-metric=clients]")).to_be_visible()
        expect(page.locator("#chart-connections-by-state")).to_have_attribute("data-state", "ready")
        sessions = page.locator("#chart-sessions-by-start")
        expect(sessions).to_have_attribute("data-state", "ready")
        one_hour = _x_span_hours(page)
        screenshot(page, "connections")
        page.locator(".range .presets").get_by_role("link", name="7d").click()
        page.wait_for_url(re.compile(r"range=7d"))
        expect(page.locator("#chart-sessions-by-start")).to_have_attribute("data-state", "ready")
        assert (one_hour, _x_span_hours(page)) == (1, 168)
        expect(page.locator(".tabs a", has_text="Activity")).to_have_attribute("href", re.compile(r"range=7d$"))
        # A custom window from the picker: a fixed from/to in the URL, and the chart follows it.
        start, end = (timezone.localtime() - dt.timedelta(hours=h) for h in (5, 2))
        page.locator(".range summary").click()
        page.fill(".range input[name=from]", start.strftime("%Y-%m-%dT%H:%M"))
        page.fill(".range input[name=to]", end.strftime("%Y-%m-%dT%H:%M"))
        page.locator(".range").get_by_role("button", name="Apply").click()
        page.wait_for_url(re.compile(r"from=.*&to="))
        expect(page.locator("#chart-sessions-by-start")).to_have_attribute("data-state", "ready")
        assert _x_span_hours(page) == 3
        expect(page.locator(".tabs a", has_text="Activity")).to_have_attribute("href", re.compile(r"from=.*&to="))

        page.goto(f"{base}/explain/")
        page.fill("textarea[name=sql]", "SELECT customer, sum(total)\nFROM orders\nWHERE status = 'open'\n"
                                        "GROUP BY customer\nORDER BY 2 DESC\nLIMIT 10")
        page.check("input[name=analyze]")
        page.get_by_role("button", name="Explain").click()
        expect(page.locator(".plan")).to_contain_text("EXPLAIN ANALYZE")
        expect(page.locator(".plan-tree .node").first).to_contain_text("Limit")
        expect(page.locator(".plan-tree .node.costly")).not_to_have_count(0)
        screenshot(page, "explain")

        page.fill("textarea[name=sql]", "DELETE FROM orders WHERE status = 'done'")
        page.get_by_role("button", name="Explain").click()
        expect(page.locator("[data-error=confirm]")).to_contain_text("modifies data")
        screenshot(page, "explain-confirm")

    # After the chain: an open transaction would keep the vacuum from needing the pinned page.
    with vacuum_waiting_on_a_pinned_page(pg18_db) as vacuum_pid:
        page.goto(f"{base}/maintenance/")
        expect(page.locator(f"#vacuum-workers tr[data-pid='{vacuum_pid}']")).to_contain_text("scanning heap")
        expect(page.locator("#database-ages")).to_contain_text(pg18_db.dbname)
        screenshot(page, "maintenance")
    assert AuditEvent.objects.filter(action="explain.analyze", details__ok=True).count() == 1


def _x_span_hours(page: Any) -> int:
    """The x-axis range plotly drew for the sessions chart, in hours."""
    span = page.evaluate("""() => {
        const plot = document.querySelector('#chart-sessions-by-start .plot');
        const [a, b] = plot.layout.xaxis.range;
        return (new Date(b.replace(' ', 'T')) - new Date(a.replace(' ', 'T'))) / 3600000;
    }""")
    return round(span)
