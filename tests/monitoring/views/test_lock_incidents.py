"""The locks page's history: a timeline of past lock incidents over the range, and the replay of one,
sample by sample, through the same tree partial as the live page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dbconsole.formatting import format_duration
from monitoring.models import LockIncident
from tests.monitoring.views.history_data import lock_incident
from tests.support.targets import TargetDb
from tests.support.workload import blocking_chain

pytestmark = pytest.mark.django_db

REPLAY: dict[str, Any] = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "lock-replay"}
# Session, user, groups, the target, the switcher's targets, the history's start, the incidents of the range.
PAGE_QUERIES = 7
# Session, user, groups, the target, the incident, its sample marks, the one tree shown.
REPLAY_QUERIES = 7


def _pids_in_order(body: str) -> list[int]:
    return [int(p) for p in re.findall(r'<tr class="(?:root|waiter)" data-pid="(\d+)"', body)]


def test_it_lists_past_incidents_and_replays_one_sample_by_sample(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    chain = lock_incident(target_db, target, samples=3)
    client = client_for(viewer)
    page = client.get(reverse("locks", args=[target.name]), {"range": "1h"}).content.decode()
    [incident] = LockIncident.objects.filter(target=target)

    assert "No session is waiting on a lock." in page           # the live part: the chain is over
    assert 'aria-label="Time range"' in page                    # the locks page reads the range now
    row = re.search(rf'<tr data-incident="{incident.pk}".*?</tr>', page, re.S)
    assert row, "the incident is in the timeline table"
    cells = row.group(0)
    assert f"<code>{chain.holder_pid}</code>" in cells and "UPDATE chain_demo SET v = v + 1 WHERE id = 1" in cells
    assert "chain-holder" in cells and target_db.cluster.superuser in cells
    assert re.search(r'<td class="num">2</td>\s*<td class="num">[^<]+</td>\s*<td>chain_demo</td>\s*'
                     r'<td class="num">3</td>', cells), "max waiters, max wait, relation, samples"
    assert f'class="incident-bar" data-incident="{incident.pk}"' in page   # and on the timeline strip
    replay_url = reverse("lock-incident", args=[target.name, incident.pk])
    assert f'hx-get="{replay_url}?range=1h" hx-target="#lock-replay"' in page

    first = client.get(replay_url, {"sample": "1", "range": "1h"}, **REPLAY).content.decode()
    assert "<html" not in first and 'data-sample="1"' in first
    assert _pids_in_order(first) == [chain.holder_pid, *chain.waiter_pids]
    assert f'data-root-pid="{chain.holder_pid}"' in first and "root blocker" in first
    assert "sample <strong data-position>1</strong> of 3" in first
    assert 'rel="prev"' not in first and f'href="{replay_url}?range=1h&amp;sample=2"' in first
    assert "data-age" not in first and "Cancel…" not in first     # a replay: nothing ticks, nothing to cancel
    # The wait shown is the one stored with that sample, as stored.
    stored = incident.lock_samples.order_by("captured_at")
    for number, body in ((1, first), (3, None)):
        body = body or client.get(replay_url, {"sample": str(number)}, **REPLAY).content.decode()
        waited = stored[number - 1].tree["children"][0]["wait_seconds"]
        row_of_waiter = body.split(f'data-pid="{chain.waiter_pids[0]}"', 1)[1].split("</tr>", 1)[0]
        assert f'<td class="num">{format_duration(waited)}</td>' in row_of_waiter

    last = client.get(replay_url, {"sample": "3"}, **REPLAY).content.decode()
    assert 'data-sample="3"' in last and 'rel="next"' not in last and "sample=2" in last
    assert _pids_in_order(last) == [chain.holder_pid, *chain.waiter_pids]
    assert client.get(replay_url, {"sample": "99"}, **REPLAY).content.decode().count('data-sample="3"') == 1
    # Without a sample: the worst one (most waiters, then the longest wait) — here the last.
    assert 'data-sample="3"' in client.get(replay_url, **REPLAY).content.decode()


def test_it_replay_link_is_a_permalink_to_the_page_with_the_replay_open(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    chain = lock_incident(target_db, target, samples=2)
    [incident] = LockIncident.objects.filter(target=target)
    client = client_for(viewer)
    url = reverse("lock-incident", args=[target.name, incident.pk])
    page = client.get(url, {"sample": "2"}).content.decode()
    assert "<html" in page and 'id="locks-live"' in page and 'id="lock-incidents"' in page
    assert re.search(rf'<div id="lock-replay">\s*<section class="card replay" data-incident="{incident.pk}" '
                     r'data-sample="2"', page)
    assert f'<tr data-incident="{incident.pk}" class="current">' in page
    assert f'data-root-pid="{chain.holder_pid}"' in page
    # The live tree's poller on that page still gets the live partial.
    poll = client.get(url, {"sample": "2"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="locks-live").content.decode()
    assert 'id="locks-live"' in poll and "lock-replay" not in poll and "<html" not in poll


def test_it_another_targets_incident_is_not_found(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    mine = target_db.make_target("mine")
    other = target_db.make_target("other")
    lock_incident(target_db, other, samples=1)
    [incident] = LockIncident.objects.filter(target=other)
    client = client_for(viewer)
    assert client.get(reverse("lock-incident", args=[mine.name, incident.pk])).status_code == 404
    assert client.get(reverse("lock-incident", args=[other.name, incident.pk])).status_code == 200


def test_it_range_decides_which_incidents_show_and_they_export_as_csv(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    lock_incident(target_db, target, samples=1)
    [incident] = LockIncident.objects.filter(target=target)
    client = client_for(viewer)
    url = reverse("locks", args=[target.name])
    started = timezone.localtime(incident.started_at)
    earlier = {"from": f"{started - dt.timedelta(hours=3):%Y-%m-%dT%H:%M}",
               "to": f"{started - dt.timedelta(hours=2):%Y-%m-%dT%H:%M}"}
    assert f'data-incident="{incident.pk}"' in client.get(url, {"range": "1h"}).content.decode()
    quiet = client.get(url, earlier).content.decode()
    assert "Time range ignored" not in quiet
    assert f'data-incident="{incident.pk}"' not in quiet and "No lock incident in this range" in quiet
    exported = client.get(url, {"range": "1h", "csv": "incidents"})
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0][:3] == ["Started", "Lasted", "Root blocker"] and rows[1][2] == str(incident.root_pid)


def test_it_query_counts_do_not_grow_with_incidents_or_samples(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client], django_assert_max_num_queries: Any,
) -> None:
    target = target_db.make_target()
    client = client_for(viewer)
    url = reverse("locks", args=[target.name])
    lock_incident(target_db, target, samples=1)
    with django_assert_max_num_queries(PAGE_QUERIES):
        client.get(url, {"range": "1h"})
    lock_incident(target_db, target, samples=4)
    lock_incident(target_db, target, samples=2)
    with django_assert_max_num_queries(PAGE_QUERIES):
        body = client.get(url, {"range": "1h"}).content.decode()
    assert body.count('<tr data-incident="') == 3
    short, long_ = sorted(LockIncident.objects.filter(target=target), key=lambda i: i.samples)[::2]
    for found in (short, long_):
        with django_assert_max_num_queries(REPLAY_QUERIES):
            client.get(reverse("lock-incident", args=[target.name, found.pk]), **REPLAY)


def test_it_live_tree_still_shows_above_the_timeline(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    target = target_db.make_target()
    with blocking_chain(target_db, waiters=1) as chain:
        body = client_for(viewer).get(reverse("locks", args=[target.name])).content.decode()
    assert body.index(f'data-root-pid="{chain.holder_pid}"') < body.index('id="lock-incidents"')
    assert "No lock incident in this range" in body   # nothing was collected
