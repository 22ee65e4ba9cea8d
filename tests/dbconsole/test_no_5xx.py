"""No request returns 5xx because of its input.

Every URL pattern of the project (``get_resolver()`` walked recursively, the Django admin's included) is
driven with generated values — path parts filled with real objects of a collected target (a planted shop
with its history, a lock incident, recommendations, a live blocking chain) or generated, and every
parameter the route reads, as recorded by ``dbconsole.params`` on a first request to it, so a new
parameter is fuzzed without a list to keep — mixed with the hostile classics (NUL, ``²``, huge and
negative numbers, instants at the calendar's edges with offsets, very long texts, raw %-escapes, a
parameter given twice), as a viewer, a reviewer, an operator and an admin, by GET and by POST (CSRF
token from the logged-in session), on PostgreSQL 15 and 18.

POSTs reach only what the test owns: the target's backends are the test's own sessions (and its
monitoring role may not signal them), ``targets/<name>/remove/`` and the admin's POSTs name a
sacrificial target or nothing, and every request runs in a savepoint of the test's transaction.
``DBCONSOLE_FUZZ_EXAMPLES`` sets the number of Hypothesis examples per major (default 250), on top of the
battery of sharp classics in every parameter (about 1,000 requests).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.models import Recommendation
from dbconsole import params
from dbconsole.embedded.pgcluster import free_port
from dbconsole.models import AuditEvent
from monitoring.charts.registry import all_charts
from monitoring.collectors.runner import run as run_collector
from monitoring.models import LockIncident, Statement, Target
from tests.advisor.planted_shop import Planted, planted_shop
from tests.monitoring.views.history_data import lock_incident
from tests.support import fuzz
from tests.support.web import csrf_token
from tests.support.workload import BlockingChain, blocking_chain

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("DBCONSOLE_FUZZ_EXAMPLES", "250"))
SACRIFICE = "sacrificial"
LOGOUTS = ("logout", "admin/logout/")


@dataclass
class Scene:
    planted: Planted
    chain: BlockingChain
    incident: LockIncident


@pytest.fixture(scope="module", params=[15, 18], ids=["pg15", "pg18"])
def scene(request: pytest.FixtureRequest, django_db_setup: Any, django_db_blocker: Any) -> Iterator[Scene]:
    for planted in planted_shop(request, django_db_blocker):
        with django_db_blocker.unblock():
            lock_incident(planted.db, planted.target, samples=2)
            for name in ("replication", "locks"):
                run_collector(planted.target, name)
            incident = LockIncident.objects.filter(target=planted.target).latest("pk")
        with blocking_chain(planted.db, waiters=1, table="fuzz_chain") as chain:
            yield Scene(planted=planted, chain=chain, incident=incident)


@dataclass
class Driver:
    """Sends requests as the personas and keeps what the fuzz needs between them."""

    scene: Scene
    clients: dict[str, Client]
    users: dict[str, User]
    read: dict[tuple[str, str], list[params.Param[Any]]] = field(default_factory=dict)
    # (route, method, path, what that path read): a chart's name decides what it reads
    variants: list[tuple[fuzz.Route, str, str, list[params.Param[Any]]]] = field(default_factory=list)
    methods: dict[str, set[str]] = field(default_factory=dict)   # what a route answers with other than 405
    sent: int = 0

    def reals(self, route: fuzz.Route, method: str, name: str) -> list[str]:
        """Real values for a path placeholder. What a POST could delete is the sacrificial target or
        nothing: ``targets/<name>/remove/``, and the admin's object pages (whose delete view deletes on
        any non-empty POST)."""
        target = self.scene.planted.target
        if name == "target":
            return [self._sacrifice().name] if route.name == "targets-remove" else [target.name]
        if name == "object_id":
            if method == "GET":
                return [str(p) for p in (target.pk, *self._pks())]
            return [str(self._sacrifice().pk), "999999999"] if "monitoring/target/" in route.text else ["999999999"]
        found: dict[str, Callable[[], Iterable[Any]]] = {
            "seq": lambda: Statement.objects.filter(target=target).values_list("seq", flat=True)[:20],
            "pid": lambda: [self.scene.chain.holder_pid, *self.scene.chain.waiter_pids],
            "incident_id": lambda: [self.scene.incident.pk],
            "pk": lambda: Recommendation.objects.filter(target=target).values_list("pk", flat=True)[:20],
            "name": lambda: sorted(all_charts()) + _evidence_charts(target),
            "content_type_id": lambda: ContentType.objects.values_list("pk", flat=True)[:10],
            "id": lambda: [u.pk for u in self.users.values()] if method == "GET" else ["999999999"],
        }
        return [str(v) for v in found[name]()] if name in found else []

    def _pks(self) -> list[int]:
        return [*(u.pk for u in self.users.values()), *AuditEvent.objects.values_list("pk", flat=True)[:3],
                *Recommendation.objects.values_list("pk", flat=True)[:3]]

    def _sacrifice(self) -> Target:
        found = Target.objects.filter(name=SACRIFICE).first()
        if found is None:
            found = Target(name=SACRIFICE, host="127.0.0.1", port=free_port(), dbname="x", username="u",
                           sslmode="disable")
            found.set_password("pw")
            found.save()
        return found

    def send(self, persona: str, method: str, path: str, query: str, form: str = "") -> Any:
        client = self.clients[persona]
        url = f"{path}?{query}" if query else path
        self.sent += 1
        with transaction.atomic():    # a failed request rolls back alone, the next one starts clean
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, form, content_type="application/x-www-form-urlencoded",
                                       HTTP_X_CSRFTOKEN=csrf_token(client))
        if any(path.rstrip("/").endswith(end.rstrip("/")) for end in LOGOUTS):
            client.force_login(self.users[persona])
        return response


def _evidence_charts(target: Target) -> list[str]:
    names: set[str] = set()
    for evidence in Recommendation.objects.filter(target=target).values_list("evidence", flat=True):
        names.update(c.get("name", "") for c in (evidence or {}).get("charts", []))
    return sorted(n for n in names if n)


def _admin_params() -> list[params.Param[Any]]:
    """What the admin's changelists read: search, ordering, page, and each list filter."""
    found: list[params.Param[Any]] = [params.Text("q"), params.Text("o"), params.Int("p", default=None),
                                      params.Text("all"), params.Text("_to_field"), params.Text("e")]
    for model_admin in admin.site._registry.values():
        for name in model_admin.list_filter:
            if isinstance(name, str):
                found += [params.Text(f"{name}__exact"), params.Text(f"{name}__id__exact")]
    return found


def _reals_for(driver: Driver, route: fuzz.Route, method: str) -> Callable[[str], list[str]]:
    return lambda name: driver.reals(route, method, name)


def _warm_up(driver: Driver, routes: list[fuzz.Route]) -> None:
    """One plain request per route and method as an admin (allowed everything; the other personas come in
    the draws): which methods each route takes and which parameters it reads."""
    for route in routes:
        for method in ("GET", "POST"):
            if route.admin and method == "POST":
                continue   # the admin reads no parameter of ours; its POSTs are fuzzed on junk ids only
            for path in fuzz.real_paths(route, _reals_for(driver, route, method)):
                response = driver.send("admin", method, path, "")
                assert response.status_code < 500, (method, path, response.status_code)
                if response.status_code == 405:
                    continue
                driver.methods.setdefault(route.name, set()).add(method)
                names = driver.read.setdefault((route.name, method), [])
                read = list(params.read_on(response.wsgi_request).values())
                names += [p for p in read if p.name not in {n.name for n in names}]
                driver.variants.append((route, method, path, read))


def _battery(driver: Driver) -> None:
    """Each sharp classic in the parameters each route reads, by each method it takes, as an admin (who
    may do everything): the cases a random draw would meet too rarely. Soft parameters never stop a view,
    so they take the value all at once, and so do the hard ones; on a route's first path each hard one
    also takes it alone (the first refusal would hide what the others do with it)."""
    seen: set[tuple[str, str]] = set()
    for route, method, path, declared in driver.variants:
        if route.admin or not declared:
            continue
        soft = [p.name for p in declared if p.soft]
        hard = [p.name for p in declared if not p.soft]
        groups = [names for names in (soft, hard) if names]
        if (route.name, method) not in seen and len(hard) > 1:
            groups += [[name] for name in hard]
        seen.add((route.name, method))
        for names in groups:
            for value in fuzz.SHARP:
                encoded = fuzz.encode([(name, value) for name in names], [])
                response = (driver.send("admin", "GET", path, encoded) if method == "GET"
                            else driver.send("admin", "POST", path, "", encoded))
                assert response.status_code < 500, (method, path, names, value[:40], response.status_code)


def test_it_answers_every_url_pattern_without_a_5xx_whatever_the_input(
    scene: Scene, viewer: User, reviewer: User, operator: User, admin_user: User,
    client_for: Callable[[User], Client], capsys: pytest.CaptureFixture[str],
) -> None:
    users = {"viewer": viewer, "reviewer": reviewer, "operator": operator, "admin": admin_user}
    driver = Driver(scene=scene, clients={k: client_for(u) for k, u in users.items()}, users=users)
    routes = fuzz.routes()
    _warm_up(driver, routes)
    warm = driver.sent
    _battery(driver)
    extras = [*params.registered(), *_admin_params()]
    assert {"page", "q", "range", "from", "seq", "r", "sql"} <= {p.name for p in extras}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(data=st.data())
    def one_request(data: st.DataObject) -> None:
        # Our pages three times as often as the admin's, which mostly want an admin; a method the route
        # does not take now and then.
        ours, admins = [r for r in routes if not r.admin], [r for r in routes if r.admin]
        route = data.draw(st.sampled_from(ours) | st.sampled_from(ours) | st.sampled_from(ours)
                          | st.sampled_from(admins), label="route")
        usual = sorted(driver.methods.get(route.name) or {"GET"})
        method = data.draw(st.sampled_from(usual) | st.sampled_from(usual) | st.sampled_from(["GET", "POST"]),
                           label="method")
        personas = st.sampled_from(sorted(users))
        persona = data.draw(st.just("admin") | personas if route.admin else personas, label="persona")
        path = data.draw(fuzz.paths(route, _reals_for(driver, route, method)), label="path")
        declared = driver.read.get((route.name, method)) or driver.read.get((route.name, "GET")) or []
        found = data.draw(fuzz.pairs(declared, extras), label="parameters")
        raw = data.draw(st.lists(st.sampled_from(fuzz.RAW_PIECES), max_size=2), label="raw")
        in_form = data.draw(st.lists(st.booleans(), min_size=len(found), max_size=len(found)), label="in form")
        if method == "POST":
            query = fuzz.encode([p for p, f in zip(found, in_form, strict=True) if not f], [])
            form = fuzz.encode([p for p, f in zip(found, in_form, strict=True) if f], raw)
        else:
            query, form = fuzz.encode(found, raw), ""
        response = driver.send(persona, method, path, query, form)
        assert response.status_code < 500, (persona, method, path, query, form, response.status_code,
                                            response.content[:500])

    one_request()
    with capsys.disabled():
        print(f"\nno-5xx fuzz on PostgreSQL {scene.planted.db.major}: {driver.sent - warm} generated requests "
              f"(+{warm} warm-up) over {len(routes)} URL patterns, {len(extras)} declared parameters")


def test_it_bounds_every_integer_in_our_paths() -> None:
    """A number no column can hold is no page (404), not a database error: ``int4``/``int8``, never ``int``."""
    unbounded = [route.text for route in fuzz.routes() if not route.admin
                 for part in route.parts if isinstance(part, RoutePattern)
                 for converter in part.converters.values() if type(converter) is IntConverter]
    assert not unbounded
