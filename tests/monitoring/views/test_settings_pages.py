"""The settings page against real PostgreSQL 15 and 18: a setting changed with ALTER SYSTEM and
pg_reload_conf() (restored afterwards), one waiting for a restart, both seen by the real collector."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitoring.collectors.runner import run
from monitoring.models import Target
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db


def _wait_for(db: TargetDb, name: str, wanted: str) -> None:
    """pg_reload_conf() only signals the postmaster: wait until a new session sees the value."""
    for _ in range(200):
        with db.connect() as conn:
            row = conn.execute("SELECT setting FROM pg_settings WHERE name = %s", (name,)).fetchone()
            if row and row[0] == wanted:
                return
            conn.execute("SELECT pg_sleep(0.05)")
    raise TimeoutError(f"{name} never became {wanted}")


@contextlib.contextmanager
def altered_system(db: TargetDb) -> Iterator[None]:
    """random_page_cost 4 → 1.1 (reloadable); max_locks_per_transaction 64 → 128 (needs a restart,
    so it stays pending). The cluster is shared by the session's tests: put everything back."""
    with db.connect() as conn:
        conn.execute("ALTER SYSTEM SET random_page_cost = 1.1")
        conn.execute("ALTER SYSTEM SET max_locks_per_transaction = 128")
        conn.execute("SELECT pg_reload_conf()")
    try:
        _wait_for(db, "random_page_cost", "1.1")
        yield
    finally:
        with db.connect() as conn:
            conn.execute("ALTER SYSTEM RESET random_page_cost")
            conn.execute("ALTER SYSTEM RESET max_locks_per_transaction")
            conn.execute("SELECT pg_reload_conf()")
        _wait_for(db, "random_page_cost", "4")


def changed_target(db: TargetDb) -> Target:
    target = db.make_target()
    assert run(target, "settings").ok
    with altered_system(db):
        assert run(target, "settings").ok
    return target


def names(body: str) -> list[str]:
    return re.findall(r'<tr data-setting="([^"]+)"', body)


def test_it_shows_a_change_with_old_and_new_value_and_what_waits_for_a_restart(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = changed_target(target_db)
    client = client_for(viewer)
    url = reverse("settings", args=[target.name])
    body = client.get(url, {"range": "1h", "all": "1"}).content.decode()

    changes = body.split('id="setting-changes"')[1].split('id="current-settings"')[0]
    assert names(changes) == ["random_page_cost"]
    assert re.search(r"<code>4</code>.*?→ <code>1.1</code>", changes, re.S)
    assert re.search(r'id="pending-restart".*max_locks_per_transaction', body)
    current = body.split('id="current-settings"')[1]
    assert re.search(r'data-setting="random_page_cost">.*?<code>1.1</code>.*?configuration file', current, re.S)
    assert re.search(r'data-setting="work_mem">.*?4096 kB \(4(\.0)? MB\)', current, re.S)

    exported = client.get(url, {"range": "1h", "csv": "changes"})
    [row] = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert (row["Setting"], row["Old value"], row["New value"]) == ("random_page_cost", "4", "1.1")
    assert dt.datetime.fromisoformat(row["Noticed at"]) <= timezone.now()

    # A window before the change shows none.
    earlier = timezone.localtime() - dt.timedelta(hours=3)
    past = client.get(url, {"from": earlier.strftime("%Y-%m-%dT%H:%M"),
                            "to": (earlier + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")}).content.decode()
    assert "No setting changed in this range." in past


def test_it_shows_non_defaults_first_all_on_request_filters_sorts_and_exports(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = changed_target(target_db)
    client = client_for(viewer)
    url = reverse("settings", args=[target.name])

    body = client.get(url).content.decode()
    non_default = names(body.split('id="current-settings"')[1])
    assert "random_page_cost" in non_default and "enable_seqscan" not in non_default
    assert non_default == sorted(non_default)
    assert 'id="all-settings-toggle" aria-pressed="false"' in body
    # Waiting for a restart, at its default until then: not in the list, but in the banner.
    assert "max_locks_per_transaction" not in non_default
    assert re.search(r'id="pending-restart">.*<code>max_locks_per_transaction</code>', body, re.S)

    everything_body = client.get(url, {"all": "1"}).content.decode()
    assert 'id="all-settings-toggle" aria-pressed="true"' in everything_body
    everything = names(everything_body.split('id="current-settings"')[1])
    assert len(everything) > 250 and 10 < len(non_default) < len(everything) / 2
    assert everything[:len(non_default)] == non_default   # non-defaults first, then the rest by name
    rest = everything[len(non_default):]
    assert rest == sorted(rest) and "enable_seqscan" in rest
    assert f"show all {len(everything)} settings" in body

    rows = list(csv.DictReader(io.StringIO(client.get(url, {"csv": "settings"}).content.decode())))
    assert [r["Setting"] for r in rows] == non_default
    assert all(r["Source"] not in ("default", "override") for r in rows)
    assert "Readable" not in rows[0]

    by_source = client.get(url, {"settings-source": "configuration file"}).content.decode()
    assert "random_page_cost" in names(by_source.split('id="current-settings"')[1])
    searched = names(client.get(url, {"settings-q": "autovacuum_vacuum_"}).content.decode().split(
        'id="current-settings"')[1])   # a search looks through every setting, defaults too
    assert searched and all("autovacuum_vacuum_" in n for n in searched) and "autovacuum_vacuum_cost_delay" in searched
    descending = names(client.get(url, {"all": "1", "settings-sort": "-name"}).content.decode().split(
        'id="current-settings"')[1])
    assert descending == sorted(everything, key=str.casefold, reverse=True)


def test_it_requires_login_and_reads_a_fixed_number_of_queries(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client], django_assert_max_num_queries: Any,
) -> None:
    target = changed_target(target_db)
    url = reverse("settings", args=[target.name])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    client = client_for(viewer)
    client.get(url)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_it_explains_an_empty_history(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    body = client_for(viewer).get(reverse("settings", args=[target.name])).content.decode()
    assert "No settings collection yet" in body and "No setting changed in this range." in body
