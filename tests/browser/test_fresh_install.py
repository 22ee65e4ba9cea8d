"""Every page at the default range in a real browser, on a target collected once (what a fresh install
shows) and on one with a little history: no console error anywhere, no page wider than a 1400 px
window, charts that start where the history does and say so."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.contrib.auth.models import User

from monitoring.history.rollups import rollup_everything
from monitoring.models import LockIncident, Statement, Target
from tests.browser.conftest import login, screenshot, superuser_target
from tests.monitoring.views.history_data import EVERYTHING, collect, lock_incident, statements_workload, temp_files
from tests.support.targets import TargetDb

pytestmark = pytest.mark.browser

TARGET_PAGES = ("", "queries/", "activity/", "locks/", "connections/", "maintenance/", "indexes/", "tables/",
                "settings/", "replication/", "explain/", "advisor/")
GLOBAL_PAGES = ("/targets/", "/targets/manage/", "/advisor/", "/advisor/lint/", "/audit/")
WIDTH = 1400
# Names and texts as long as PostgreSQL allows, without a space to break them at: what a hostile (or
# just generated) schema puts in every table cell.
LONG_NAME = "orders_" + "x" * 56                                            # 63 characters
LONG_EXPRESSION = "+".join(["quantity"] * 120)                              # ~1,100 characters, no space


class Console:
    """Every console error and uncaught exception of a tab, with the page it happened on."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        self.where = ""
        page.on("console", lambda msg: self.errors.append(f"{self.where}: {msg.text}") if msg.type == "error"
                else None)
        page.on("pageerror", lambda exc: self.errors.append(f"{self.where}: {exc}"))


@contextlib.contextmanager
def wide_texts(db: TargetDb) -> Iterator[None]:
    """A table and an index with 63-character names, a statement and a running session whose texts
    have no space for a line break, and an application name as long as PostgreSQL keeps."""
    with db.connect() as conn:
        conn.execute(f"CREATE TABLE {LONG_NAME} (id int PRIMARY KEY, quantity int)")
        conn.execute(f"INSERT INTO {LONG_NAME} SELECT g, g % 7 FROM generate_series(1, 2000) g")
        conn.execute(f"CREATE INDEX {LONG_NAME[:-4]}_idx ON {LONG_NAME} (quantity)")
        for _ in range(3):
            conn.execute(f"SELECT count(*) FROM {LONG_NAME} WHERE {LONG_EXPRESSION}>%s", (5,))
    session = psycopg.connect(db.cluster.conninfo(db.dbname), autocommit=True, application_name="a" * 63)
    thread = threading.Thread(target=_sleep_quietly, args=(session,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        with db.connect() as conn:
            conn.execute("SELECT pg_cancel_backend(%s)", (session.info.backend_pid,))
        thread.join(timeout=30)
        session.close()


def _sleep_quietly(conn: psycopg.Connection[Any]) -> None:
    with contextlib.suppress(psycopg.Error):
        conn.execute(f"SELECT pg_sleep(300), {LONG_EXPRESSION} FROM (SELECT 1 AS quantity) AS q")


def _visit(page: Any, console: Console, url: str) -> None:
    """Open ``url``, draw every chart on it (they load when scrolled into view) and check the width."""
    from playwright.sync_api import expect

    console.where = url
    page.goto(url)
    for figure in page.locator("figure[data-chart]").all():
        figure.scroll_into_view_if_needed()
        expect(figure).to_have_attribute("data-state", re.compile("ready|error"))
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{url} is {width} px wide at a {WIDTH} px window"


def _every_page(page: Any, console: Console, base: str, target: Target, shots: str) -> None:
    for path in TARGET_PAGES:
        _visit(page, console, f"{base}/t/{target.name}/{path}")
        screenshot(page, f"{shots}-{path.strip('/') or 'overview'}")
    statements = Statement.objects.filter(target=target).order_by("seq")
    seqs = {*statements.values_list("seq", flat=True)[:3],
            *statements.filter(text__text__contains=LONG_NAME).values_list("seq", flat=True)}
    for seq in sorted(seqs):
        _visit(page, console, f"{base}/t/{target.name}/queries/{seq}/")
    for incident in LockIncident.objects.filter(target=target):
        _visit(page, console, f"{base}/t/{target.name}/locks/incidents/{incident.pk}/")
    for path in GLOBAL_PAGES:
        _visit(page, console, f"{base}{path}")


def test_it_shows_every_page_of_a_fresh_target_without_a_console_error(
    page: Any, live_server: Any, target_db: TargetDb, admin_user: User,
) -> None:
    page.set_viewport_size({"width": WIDTH, "height": 900})
    console = Console(page)
    target = superuser_target(target_db, "fresh-db")
    # The first collection only (baselines, one sample each), and a lock incident in it: its marker
    # lands on charts that have no data yet.
    lock_incident(target_db, target, samples=2, also=EVERYTHING)
    login(page, live_server.url, admin_user)
    _every_page(page, console, live_server.url, target, f"fresh-pg{target_db.major}")
    assert console.errors == [], "\n".join(console.errors)


def test_it_shows_every_page_of_a_target_with_history_without_a_console_error(
    page: Any, live_server: Any, target_db: TargetDb, admin_user: User,
) -> None:
    page.set_viewport_size({"width": WIDTH, "height": 900})
    console = Console(page)
    target = superuser_target(target_db, "busy-db")
    collect(target, *EVERYTHING)
    statements_workload(target_db)
    temp_files(target_db)
    with wide_texts(target_db):
        lock_incident(target_db, target, samples=2)
        collect(target, *EVERYTHING)
        rollup_everything()
        statements_workload(target_db, rounds=10)
        collect(target, "statements", "database", "activity")
        login(page, live_server.url, admin_user)
        _every_page(page, console, live_server.url, target, f"history-pg{target_db.major}")
    assert console.errors == [], "\n".join(console.errors)
