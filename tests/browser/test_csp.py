"""Every page under the Content-Security-Policy in a real Chromium: no violation anywhere (listened for as
``securitypolicyviolation`` events and as console messages), and the pages still work — charts are drawn
by plotly.js, live regions poll and swap through htmx, bars and indents get their geometry, confirmations
ask. Names planted in the target (a link as an application_name) never become a link in the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import User

from advisor.models import Recommendation
from advisor.review.run import run_advisor
from monitoring.models import LockIncident, Statement, Target
from tests.advisor.planted_shop import grant_reads
from tests.browser.conftest import login, screenshot
from tests.monitoring.views.history_data import EVERYTHING, collect, lock_incident, statements_workload
from tests.support.hostile import LINK_APPLICATION, link_session, plant_formula_schema
from tests.support.targets import TargetDb

pytestmark = pytest.mark.browser

WAIT_MS = 30_000

# Runs in every document before the page's own scripts (Playwright injects it past the CSP).
WATCH = """
let polls = 0;
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation({
  directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber,
  sample: e.sample, page: location.pathname + location.search}));
document.addEventListener("htmx:afterRequest", (e) => {
  const elt = e.detail.elt;
  if (elt && elt.hasAttribute && elt.hasAttribute("data-poll")) document.documentElement.dataset.polls = ++polls;
});
"""


@dataclass
class Watch:
    violations: list[dict[str, Any]] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def problems(self) -> list[Any]:
        return [*self.violations, *self.console]


@pytest.fixture
def watched(page: Any) -> Iterator[tuple[Any, Watch]]:
    watch = Watch()
    page.set_default_timeout(WAIT_MS)
    page.context.expose_binding("__cspViolation", lambda _source, v: watch.violations.append(v))
    page.context.add_init_script(WATCH)

    def on_console(message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text or "unsafe-eval" in text:
            watch.console.append(f"{page.url}: {text}")
        elif message.type == "error":
            # The document's own status is checked where it matters (the lockout page is a 429 on
            # purpose); a missing favicon is the admin's. Anything else failing to load is a problem.
            resource = message.location.get("url", "")
            if resource != page.url and not resource.endswith("/favicon.ico"):
                watch.console.append(f"{page.url}: console error: {text} ({resource})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: watch.console.append(f"{page.url}: page error: {exc}"))
    yield page, watch


def visit(page: Any, watch: Watch, url: str) -> None:
    from playwright.sync_api import expect

    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: HTTP {response and response.status}"
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0], url
    watch.visited.append(url)
    for figure in page.locator("figure[data-chart]").all():
        figure.scroll_into_view_if_needed()
        expect(figure).to_have_attribute("data-state", "ready", timeout=WAIT_MS)
        expect(figure.locator(".plot .main-svg").first).to_be_attached(timeout=WAIT_MS)
    page.evaluate("window.scrollTo(0, 0)")


def wait_for_a_poll(page: Any) -> None:
    """A live region asked the server again (htmx request from a data-poll element) on its own.
    (Not page.wait_for_function: its predicate is eval'd in the page, which the CSP refuses.)"""
    from playwright.sync_api import expect

    expect(page.locator("html")).to_have_attribute("data-polls", re.compile(r"^[1-9]"), timeout=WAIT_MS)


def test_it_every_page_runs_under_the_csp_and_still_works(
    watched: tuple[Any, Watch], live_server: Any, pg18_db: TargetDb, admin_user: User,
) -> None:
    from playwright.sync_api import expect

    page, watch = watched
    target = _history_with_planted_names(pg18_db)
    rec = Recommendation.objects.filter(target=target, kind="missing_index").first()
    assert rec is not None
    incident = LockIncident.objects.filter(target=target).order_by("-pk").first()
    statement = Statement.objects.filter(target=target, text__isnull=False).order_by("seq").first()
    assert incident is not None and statement is not None

    page.goto(f"{live_server.url}/accounts/login/")
    login(page, live_server.url, admin_user)
    base = f"{live_server.url}/t/{target.name}"

    visit(page, watch, f"{live_server.url}/targets/")
    visit(page, watch, f"{base}/?range=1h")
    expect(page.locator("#health [data-check]").first).to_be_visible()
    wait_for_a_poll(page)
    screenshot(page, "csp-overview")

    visit(page, watch, f"{base}/activity/")
    wait_for_a_poll(page)
    visit(page, watch, f"{base}/locks/")
    wait_for_a_poll(page)
    visit(page, watch, f"{base}/locks/incidents/{incident.pk}/")
    heights = page.evaluate("[...document.querySelectorAll('[data-height]')].map(e => e.style.height)")
    assert heights and all(h.endswith("%") for h in heights)
    with link_session(pg18_db):  # a client connected now, for the live bars and tables
        visit(page, watch, f"{base}/connections/?range=1h&by=application")
        wait_for_a_poll(page)
    widths = page.evaluate("[...document.querySelectorAll('.minibar > [data-width], .seg[data-width]')]"
                           ".map(e => e.style.width)")
    assert widths and all(w.endswith("%") for w in widths)
    # The planted link is in the legend as text, and nowhere in the page as a link.
    legend = page.locator("#chart-connections-history .legendtext", has_text=LINK_APPLICATION)
    expect(legend).to_have_count(1)
    assert page.locator("a[href*='evil.example']").count() == 0
    assert page.locator("#chart-connections-history svg a").count() == 0
    screenshot(page, "csp-connections-by-application")

    visit(page, watch, f"{base}/maintenance/")
    wait_for_a_poll(page)
    for path in ("maintenance/history/", "indexes/", "tables/?range=1h", "settings/", "replication/",
                 "queries/?range=1h", f"queries/{statement.seq}/?range=1h", "advisor/", f"advisor/{rec.pk}/",
                 "advisor/machine/"):
        visit(page, watch, f"{base}/{path}")
    assert page.locator("a[href*='evil.example']").count() == 0

    # htmx swaps a decision in place; the draft page's copy button works.
    visit(page, watch, f"{base}/advisor/{rec.pk}/")
    page.click("button[data-action='accept']")
    expect(page.locator("#review [data-status='accepted']")).to_be_visible()
    page.click("a[data-link='draft']")
    expect(page.locator("#text-sql")).to_contain_text("CREATE INDEX CONCURRENTLY")
    page.click("button[data-copy='#text-sql']")
    expect(page.locator("button[data-copy='#text-sql']")).to_have_class(re.compile(r"\bcopied\b"))

    # EXPLAIN ANALYZE: the plan tree indents through --depth, the share bars get their width.
    visit(page, watch, f"{base}/explain/")
    page.fill("textarea[name=sql]", "SELECT count(*) FROM parcels WHERE city = 'City 7'")
    page.check("input[name=analyze]")
    page.get_by_role("button", name="Explain").click()
    expect(page.locator(".plan-tree .node").first).to_be_visible()
    depths = page.evaluate("[...document.querySelectorAll('.plan-tree .node')]"
                           ".map(e => e.style.getPropertyValue('--depth'))")
    assert depths and all(d != "" for d in depths) and any(d != "0" for d in depths)
    screenshot(page, "csp-explain")

    visit(page, watch, f"{live_server.url}/advisor/")
    visit(page, watch, f"{live_server.url}/advisor/lint/")
    page.fill("textarea[name=sql]", "CREATE INDEX orders_note_idx ON orders (note);")
    page.click("button:has-text('Lint')")
    expect(page.locator("#lint-result [data-rule='create-index-not-concurrent']")).to_be_visible()
    visit(page, watch, f"{live_server.url}/audit/")

    # A confirmation without an inline handler: dismissing it keeps the target.
    visit(page, watch, f"{live_server.url}/targets/manage/")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("form[data-confirm] button").first.click()
    expect(page.locator("form[data-confirm]").first).to_be_visible()
    assert Target.objects.filter(pk=target.pk).exists()

    for path in ("", "auth/user/", f"auth/user/{admin_user.pk}/change/", "monitoring/target/",
                 "axes/accessattempt/"):
        visit(page, watch, f"{live_server.url}/admin/{path}")

    assert len(watch.visited) >= 28
    assert watch.problems() == []


def test_it_login_and_lockout_pages_run_under_the_csp(
    watched: tuple[Any, Watch], live_server: Any, viewer: User, settings: Any,
) -> None:
    from playwright.sync_api import expect

    page, watch = watched
    settings.AXES_FAILURE_LIMIT = 2
    visit(page, watch, f"{live_server.url}/accounts/login/")
    for _ in range(2):
        page.fill("input[name=username]", viewer.username)
        page.fill("input[name=password]", "not-the-password")
        page.click("button[type=submit]")
    expect(page.locator("#locked-out")).to_contain_text("Too many failed sign-ins")
    screenshot(page, "csp-locked-out")
    visit(page, watch, f"{live_server.url}/admin/login/")
    assert watch.problems() == []


def _history_with_planted_names(db: TargetDb) -> Target:
    """History of every collector, a lock incident, statements, an advisor run, and hostile names."""
    with db.connect() as conn:
        conn.execute("CREATE TABLE parcels (id serial PRIMARY KEY, tracking text NOT NULL, city text NOT NULL)")
        conn.execute("INSERT INTO parcels (tracking, city) SELECT 'T' || g, 'City ' || g % 40 "
                     "FROM generate_series(1, 40000) g")
        conn.execute("ANALYZE parcels")
        grant_reads(conn)
    plant_formula_schema(db)
    target = db.make_target("shop-db")
    with link_session(db):
        collect(target, *EVERYTHING)
        statements_workload(db)
        with db.connect() as conn:
            for i in range(30):
                conn.execute("SELECT id, city FROM parcels WHERE tracking = %s", (f"T{i * 7}",))
        lock_incident(db, target, samples=2, also=("activity",))
        collect(target, *EVERYTHING)
    run_advisor(target, trigger="cli")
    return target
