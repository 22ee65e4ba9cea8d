"""The advisor's review in a real browser: a reviewer accepts a recommendation in place (htmx), gets the
migration draft, copies and downloads it; anyone pastes a migration into the lint page; a viewer sees
no buttons. Screenshots go to artifacts/."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from advisor.models import Recommendation, Status
from advisor.review.run import run_advisor
from dbconsole.models import AuditEvent
from monitoring.models import Target
from tests.advisor.planted_shop import collect, grant_reads
from tests.browser.conftest import login, screenshot
from tests.support.targets import TargetDb

pytestmark = pytest.mark.browser


def planted(db: TargetDb) -> Target:
    """A table looked up by an unindexed column, and a sequence at 93 % of int4."""
    with db.connect() as conn:
        conn.execute("CREATE TABLE parcels (id serial PRIMARY KEY, tracking text NOT NULL, city text NOT NULL)")
        conn.execute("INSERT INTO parcels (tracking, city) SELECT 'T' || g, 'City ' || g % 40 "
                     "FROM generate_series(1, 40000) g")
        conn.execute("ANALYZE parcels")
        conn.execute("SELECT setval('parcels_id_seq', 2000000000)")
        grant_reads(conn)
    target = db.make_target(name="parcels-db")
    collect(target)
    with db.connect() as conn:
        for i in range(30):
            conn.execute("SELECT id, city FROM parcels WHERE tracking = %s", (f"T{i * 7}",))
    collect(target)
    run_advisor(target, trigger="cli")
    return target


def test_it_reviewer_accepts_in_place_and_downloads_the_draft(page: Any, live_server: Any, pg18_db: TargetDb,
                                                              reviewer: User) -> None:
    from playwright.sync_api import expect

    target = planted(pg18_db)
    rec = Recommendation.objects.get(target=target, kind="missing_index")
    login(page, live_server.url, reviewer)
    page.goto(f"{live_server.url}/t/{target.name}/advisor/")
    expect(page.locator("tr[data-kind='missing_index'] .badge.unverified")).to_be_visible()
    expect(page.locator("tr[data-kind='sequence_overflow']")).to_contain_text("93%")
    screenshot(page, "advisor-list")

    page.click(f"a[href='/t/{target.name}/advisor/{rec.pk}/']")
    expect(page.locator("#evidence-statements")).to_contain_text("WHERE tracking = $1")
    page.fill("#id_comment", "build it tonight")
    detail_url = page.url
    page.click("button[data-action='accept']")
    expect(page.locator("#review [data-status='accepted']")).to_be_visible()
    assert page.url == detail_url  # swapped in place by htmx, no navigation
    expect(page.locator("#decisions")).to_contain_text("build it tonight")
    chart = page.locator("figure[data-chart='statements-time']")
    chart.scroll_into_view_if_needed()
    expect(chart).to_have_attribute("data-state", "ready")
    screenshot(page, "advisor-detail")
    rec.refresh_from_db()
    assert rec.status == Status.ACCEPTED
    assert AuditEvent.objects.filter(action="advisor.accept", actor=reviewer).count() == 1

    page.click("a[data-link='draft']")
    expect(page.locator("#text-sql")).to_contain_text("CREATE INDEX CONCURRENTLY IF NOT EXISTS")
    expect(page.locator("#text-rollback")).to_contain_text("DROP INDEX CONCURRENTLY")
    page.click("button[data-copy='#text-sql']")
    expect(page.locator("button[data-copy='#text-sql']")).to_have_class("small copy copied")
    with page.expect_download() as download:
        page.click("a[data-download='sql']")
    assert download.value.suggested_filename == "create_index_parcels_tracking_idx.sql"
    screenshot(page, "advisor-draft")


def test_it_lint_page_reports_in_place(page: Any, live_server: Any, viewer: User) -> None:
    from playwright.sync_api import expect

    login(page, live_server.url, viewer)
    page.goto(f"{live_server.url}/advisor/lint/")
    page.fill("textarea[name=sql]", "ALTER TABLE orders ADD COLUMN note text NOT NULL;\n"
                                    "CREATE INDEX orders_note_idx ON orders (note);")
    page.click("button:has-text('Lint')")
    expect(page.locator("#lint-result [data-rule='create-index-not-concurrent']")).to_be_visible()
    expect(page.locator("#lint-result")).to_contain_text("Safe alternative")
    screenshot(page, "advisor-lint")


def test_it_viewer_reads_without_buttons(page: Any, live_server: Any, pg18_db: TargetDb, viewer: User) -> None:
    from playwright.sync_api import expect

    target = planted(pg18_db)
    rec = Recommendation.objects.get(target=target, kind="sequence_overflow")
    login(page, live_server.url, viewer)
    page.goto(f"{live_server.url}/t/{target.name}/advisor/{rec.pk}/")
    expect(page.locator("#evidence")).to_contain_text("Values left")
    expect(page.locator("button[data-action]")).to_have_count(0)
    expect(page.locator("#review")).to_contain_text("your role can read them")
