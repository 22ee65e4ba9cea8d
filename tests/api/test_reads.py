"""Every read endpoint on a real collected, advised target (PostgreSQL 15 and 18): what the pages show,
through the same selectors, as JSON — and every list walked to its end with its cursor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from advisor.models import Status
from monitoring.history.selectors.statements import ORDERS, statement_totals
from monitoring.models import LockIncident
from tests.api.conftest import Api
from tests.api.scene import Scene

pytestmark = pytest.mark.django_db
ApiAs = Callable[[User | None], Api]


def base(scene: Scene) -> str:
    return f"/api/v1/targets/{scene.target.name}/"


def walk(api: Api, url: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of a list, following next_cursor (with only limit beside it, as the API asks)."""
    items: list[dict[str, Any]] = []
    page = api.get(url, params).json()
    while True:
        items += page["results"]
        if page["next_cursor"] is None:
            assert page["next"] is None
            return items
        assert page["next"].startswith("http://testserver" + url + "?cursor=")
        page = api.get(url, {"cursor": page["next_cursor"], "limit": params.get("limit", "")}).json()


def test_it_lists_targets_with_their_collection_status(scene: Scene, viewer: User, api_as: ApiAs) -> None:
    body = api_as(viewer).get("/api/v1/targets/").json()
    mine = next(t for t in body["results"] if t["name"] == scene.target.name)
    assert mine["status"] == "ok" and mine["server_version_num"] // 10000 == scene.db.major
    assert {c["collector"] for c in mine["collectors"]} >= {"statements", "locks", "relations", "database"}
    assert mine["last_collection_at"] is not None
    assert "password" not in str(body) and "monitor-secret" not in str(body)
    one = api_as(viewer).get(mine["url"].removeprefix("http://testserver"))
    assert one.status_code == 200 and one.json()["name"] == scene.target.name


def test_it_pages_targets_by_name_with_a_cursor(scene: Scene, viewer: User, api_as: ApiAs) -> None:
    from monitoring.models import Target

    for i in range(5):
        Target.objects.create(name=f"zz-extra-{i}", host="127.0.0.1", port=1, dbname="x", username="x")
    names = [t["name"] for t in walk(api_as(viewer), "/api/v1/targets/", {"limit": 2})]
    assert names == sorted(Target.objects.values_list("name", flat=True))


def test_it_lists_statements_as_the_queries_page_ranks_them(scene: Scene, viewer: User, api_as: ApiAs) -> None:
    api = api_as(viewer)
    url = base(scene) + "statements/"
    for sort in ORDERS:
        body = api.get(url, {"range": "1h", "sort": sort, "limit": 5}).json()
        window = body["range"]
        assert window["preset"] == "1h"
        start, end = (dt.datetime.fromisoformat(window[k]) for k in ("start", "end"))
        expected = statement_totals(scene.target.pk, start, end, order=sort, limit=5)
        assert [s["seq"] for s in body["results"]] == [r.seq for r in expected.rows], sort
        assert body["total"] == expected.total
    everything = walk(api, url, {"range": "1h", "limit": 3})
    assert len(everything) == len({s["seq"] for s in everything}) == body["total"]
    times = [s["total_ms"] for s in everything]
    assert times == sorted(times, reverse=True)
    lookup = [s for s in everything if "FROM orders WHERE customer_id" in s["query"]]
    assert lookup and lookup[0]["calls"] == 40 and lookup[0]["database"] == scene.db.dbname


def test_it_filters_statements_like_the_queries_page(scene: Scene, viewer: User, api_as: ApiAs) -> None:
    api = api_as(viewer)
    url = base(scene) + "statements/"
    found = api.get(url, {"range": "1h", "q": "ORDER_LINES"}).json()["results"]
    assert found and all("order_lines" in s["query"].lower() for s in found)
    empty = api.get(url, {"range": "1h", "database": "no-such-db"}).json()
    assert empty["results"] == [] and empty["total"] == 0 and empty["next_cursor"] is None
    user = found[0]["user"]
    assert all(s["user"] == user for s in api.get(url, {"range": "1h", "user": user}).json()["results"])


def test_it_gives_one_statement_with_its_text_totals_and_series(scene: Scene, viewer: User, api_as: ApiAs) -> None:
    api = api_as(viewer)
    first = api.get(base(scene) + "statements/", {"range": "1h", "q": "customer_id = $1"}).json()["results"][0]
    detail = api.get(base(scene) + f"statements/{first['seq']}/", {"range": "1h"}).json()
    assert detail["text"].startswith("SELECT id, status, total_cents FROM orders")
    assert detail["totals"]["calls"] == first["calls"] == 40
    series = walk(api, base(scene) + f"statements/{first['seq']}/series/", {"range": "1h", "limit": 1})
    assert series and sum(p["calls"] for p in series) == 40
    assert api.get(base(scene) + "statements/999999/").status_code == 404


def test_it_lists_indexes_with_the_indexes_page_flags(scene: Scene, viewer: User, api_as: ApiAs) -> None:
    api = api_as(viewer)
    every = walk(api, base(scene) + "indexes/", {"range": "24h", "limit": 4})
    by_name = {i["name"]: i for i in every}
    assert not by_name["public.customers_email_key_broken"]["is_valid"]
    assert "invalid" in by_name["public.customers_email_key_broken"]["flags"]
    dup = by_name["public.products_sku_dup"]
    assert "duplicate" in dup["flags"] and dup["duplicate_of"] == ["products_sku_idx"]
    assert by_name["public.orders_pkey"]["protected"] == "primary key" and not by_name["public.orders_pkey"]["drop"]
    only_invalid = api.get(base(scene) + "indexes/", {"range": "24h", "flag": "invalid"}).json()["results"]
    assert [i["name"] for i in only_invalid] == ["public.customers_email_key_broken"]
    sizes = [i["bytes"] for i in every]
    assert sizes == sorted(sizes, reverse=True)


def test_it_lists_tables_with_sizes_and_grades(scene: Scene, viewer: User, api_as: ApiAs) -> None:
    tables = {t["name"]: t for t in walk(api_as(viewer), base(scene) + "tables/", {"limit": 3})}
    events = tables["public.events_log"]
    assert events["total_bytes"] >= events["heap_bytes"] > 0 and events["kind"] == "table"
    assert events["bloat"] in ("ok", "info", "warning", "critical", "unknown")
    assert tables["public.stock"]["n_dead_tup"] > 0
    by_size = api_as(viewer).get(base(scene) + "tables/", {"sort": "name"}).json()["results"]
    assert [t["name"] for t in by_size] == sorted((t["name"] for t in by_size), key=str.casefold)


def test_it_lists_lock_incidents_with_their_trees(scene: Scene, viewer: User, api_as: ApiAs) -> None:
    api = api_as(viewer)
    incidents = api.get(base(scene) + "locks/incidents/", {"range": "1h"}).json()["results"]
    root = next(i for i in incidents if i["root_pid"] == scene.chain.holder_pid)
    assert root["max_waiters"] == 2 and root["samples"] == 2 and root["root_application"] == "chain-holder"
    detail = api.get(base(scene) + f"locks/incidents/{root['id']}/", {"limit": 1}).json()
    assert detail["incident"]["id"] == root["id"] and len(detail["results"]) == 1 and detail["next_cursor"]
    tree = detail["results"][0]["tree"]
    assert tree["pid"] == scene.chain.holder_pid
    assert [c["pid"] for c in tree["children"]] == scene.chain.waiter_pids[:1]
    second = api.get(base(scene) + f"locks/incidents/{root['id']}/", {"cursor": detail["next_cursor"]}).json()
    assert len(second["results"]) == 1 and second["next_cursor"] is None
    other = LockIncident.objects.exclude(target=scene.target).values_list("pk", flat=True).first()
    if other is not None:   # an incident of another target is not found through this one
        assert api.get(base(scene) + f"locks/incidents/{other}/").status_code == 404


def test_it_gives_connections_over_time_by_breakdown(scene: Scene, viewer: User, api_as: ApiAs) -> None:
    api = api_as(viewer)
    body = api.get(base(scene) + "connections/", {"range": "1h"}).json()
    assert body["by"] == "state" and body["resolution"] == "raw" and len(body["results"]) >= 3
    point = body["results"][-1]
    assert point["max_connections"] == 200 and set(point["counts"]) >= {"active", "idle"}
    by_app = api.get(base(scene) + "connections/", {"range": "1h", "by": "application"}).json()["results"]
    assert any("chain-holder" in p["counts"] for p in by_app)


def test_it_lists_settings_and_their_changes(scene: Scene, viewer: User, api_as: ApiAs) -> None:
    api = api_as(viewer)
    every = walk(api, base(scene) + "settings/", {"limit": 100})
    names = [s["name"] for s in every]
    assert names == sorted(names) and "work_mem" in names and len(names) > 200
    nondefault = api.get(base(scene) + "settings/", {"non_default": "true", "limit": 1000}).json()["results"]
    assert nondefault and not any(s["is_default"] for s in nondefault)
    assert "shared_preload_libraries" in {s["name"] for s in nondefault}
    changes = api.get(base(scene) + "settings/changes/", {"range": "1h"}).json()
    assert changes["results"] == [] and changes["range"]["preset"] == "1h"


def test_it_lists_recommendations_with_evidence_and_history(scene: Scene, viewer: User, api_as: ApiAs) -> None:
    api = api_as(viewer)
    every = walk(api, base(scene) + "recommendations/", {"limit": 2})
    assert {r["id"] for r in every} == {r.pk for r in scene.outcome.recommendations
                                        if r.status != Status.RESOLVED}
    assert all(r["status"] == "open" and r["allowed_actions"] == ["accept", "dismiss", "snooze"] for r in every)
    critical = api.get(base(scene) + "recommendations/", {"severity": "critical"}).json()["results"]
    assert critical and all(r["severity"] == "critical" for r in critical)
    rec = scene.rec("duplicate_index")
    detail = api.get(base(scene) + f"recommendations/{rec.pk}/").json()
    assert detail["kind"] == "duplicate_index" and detail["evidence"] and detail["changes"]
    assert detail["history"][0]["action"] == "created" and detail["history"][0]["actor"] == "advisor"


def test_it_reads_the_live_sessions_of_a_target(scene: Scene, operator: User, api_as: ApiAs) -> None:
    with scene.db.connect(application_name="api-live-session") as conn:
        body = api_as(operator).get(base(scene) + "activity/", {"limit": 1000}).json()
        mine = [b for b in body["results"] if b["pid"] == conn.info.backend_pid]
    assert mine and mine[0]["application_name"] == "api-live-session" and mine[0]["backend_start"]


def test_it_shows_the_audit_log_to_admins_only(scene: Scene, admin_user: User, viewer: User,
                                               api_as: ApiAs) -> None:
    from dbconsole import audit

    for i in range(3):
        audit.record("test.event", actor=admin_user, target=scene.target, n=i)
    admin = api_as(admin_user)
    events = walk(admin, "/api/v1/audit/", {"action": "test.", "limit": 2, "target": scene.target.name})
    assert [e["details"]["n"] for e in events] == [2, 1, 0]
    assert events[0]["actor"] == admin_user.username and events[0]["target"] == scene.target.name
    assert api_as(viewer).get("/api/v1/audit/").status_code == 403
    later = timezone.now() - dt.timedelta(minutes=30)
    assert admin.get("/api/v1/audit/", {"from": later.isoformat(), "action": "test."}).json()["results"]


def test_it_gives_the_health_of_a_target_in_four_states(scene: Scene, viewer: User, api_as: ApiAs) -> None:
    body = api_as(viewer).get(base(scene) + "health/").json()
    assert set(body) == {"status", "checks"}
    keys = [c["key"] for c in body["checks"]]
    assert {"wraparound", "sequences", "invalid_indexes", "replication", "collectors", "connections"} <= set(keys)
    for check in body["checks"]:
        assert set(check) == {"key", "title", "status", "value", "threshold", "summary", "fix"}
        assert check["status"] in ("ok", "warning", "critical", "unknown")
        assert (check["fix"] == "") == (check["status"] == "ok") or check["status"] in ("warning", "critical")
        if check["threshold"] is not None:
            assert set(check["threshold"]) == {"key", "level", "value", "unit", "below"}
    order = {"ok": 0, "unknown": 1, "warning": 2, "critical": 3}
    assert body["status"] == max((c["status"] for c in body["checks"]), key=order.__getitem__)
    invalid = next(c for c in body["checks"] if c["key"] == "invalid_indexes")
    assert invalid["status"] == "warning" and "customers_email_key_broken" in invalid["summary"]
    sequences = next(c for c in body["checks"] if c["key"] == "sequences")
    assert sequences["status"] == "critical" and sequences["value"] is not None    # tickets_id_seq at 93 %


def test_it_never_says_ok_about_what_it_cannot_see(db: object, viewer: User, api_as: ApiAs) -> None:
    from monitoring.models import Target

    gone = Target.objects.create(name="nowhere", host="127.0.0.1", port=1, dbname="x", username="x")
    body = api_as(viewer).get(f"/api/v1/targets/{gone.name}/health/").json()
    assert body["status"] == "critical"                     # it does not answer: down, and said so
    reachable = next(c for c in body["checks"] if c["key"] == "reachable")
    assert reachable["status"] == "critical" and reachable["fix"]
    blind = [c for c in body["checks"] if c["key"] != "reachable"]
    assert blind and all(c["status"] == "unknown" and c["fix"] for c in blind)   # never collected: unknown
