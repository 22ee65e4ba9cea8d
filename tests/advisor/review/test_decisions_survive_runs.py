"""No decision is ever lost: real advisor runs with other budgets, windows and rule subsets never
resolve, reopen or rewrite what reviewers decided; resolution comes when the target shows the
condition gone (the index really created), and the decision comes back with the condition.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from advisor.models import Decision, Recommendation, Status
from advisor.review.decisions import add_comment, decide
from advisor.review.run import run_advisor
from advisor.rules.options import AdvisorOptions
from monitoring.models import Target
from tests.advisor.planted_shop import collect, grant_reads
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db

SCHEMA = """
CREATE TABLE items (id serial PRIMARY KEY, code text NOT NULL, label text NOT NULL);
INSERT INTO items (code, label) SELECT 'code-' || g, 'Item ' || g FROM generate_series(1, 20000) g;
SELECT setval('items_id_seq', 1717986918);
ANALYZE items;
"""


def lookups(db: TargetDb, n: int = 25) -> None:
    with db.connect() as conn:
        for i in range(n):
            conn.execute("SELECT id, label FROM items WHERE code = %s", (f"code-{i * 97}",))


@pytest.fixture
def shop(target_db: TargetDb) -> Target:
    """A lookup by an unindexed code (missing index) and an id sequence at 80 % of int4 (a warning)."""
    with target_db.connect() as conn:
        conn.execute(SCHEMA)
        grant_reads(conn)
    target = target_db.make_target()
    collect(target)
    lookups(target_db)
    collect(target)
    return target


def as_user(user: User) -> Any:
    request = RequestFactory().post("/")
    request.user = user
    return request


def decisions(target: Target) -> list[tuple[Any, ...]]:
    """Everything a reviewer decided, as the workflow shows it."""
    rows = []
    for rec in Recommendation.objects.filter(target=target).order_by("kind", "object_key"):
        people = list(rec.decisions.exclude(actor=None).order_by("pk").values_list("actor_name", "action", "comment"))
        rows.append((rec.kind, rec.object_key, rec.status, rec.dismiss_reason, rec.dismissed_fingerprint,
                     rec.snoozed_until, people))
    return rows


def advise(*args: str) -> str:
    out = io.StringIO()
    call_command("advise", *args, stdout=out)
    return out.getvalue()


def test_it_no_run_with_other_options_changes_a_decision(shop: Target, target_db: TargetDb,
                                                         reviewer: User) -> None:
    run_advisor(shop, trigger="cli")
    index = Recommendation.objects.get(target=shop, kind="missing_index")
    sequence = Recommendation.objects.get(target=shop, kind="sequence_overflow")
    memory = Recommendation.objects.get(target=shop, kind="cannot_evaluate", object_key="config_memory")
    request = as_user(reviewer)
    decide(index.pk, "accept", request=request, comment="build it in Sunday's window")
    add_comment(index.pk, "ticket DBA-42", request=request)
    decide(sequence.pk, "dismiss", request=request, reason="the table is archived next month")
    decide(memory.pk, "snooze", request=request, until=timezone.now() + dt.timedelta(days=7))
    before = decisions(shop)

    lookups(target_db, 10)   # the workload goes on between runs
    collect(shop, ("statements", "relations", "sequences"))
    advise("--target", shop.name, "--budget-mb", "1")            # too small: the index is left out
    advise("--target", shop.name, "--budget-mb", "2000")
    advise("--target", shop.name, "--rule", "sequence_overflow")
    advise("--target", shop.name, "--rule", "fk_indexes")        # without the rule it depends on
    advise("--target", shop.name, "--rule", "missing_indexes", "--budget-mb", "1")
    run_advisor(shop, options=AdvisorOptions(window=dt.timedelta(hours=1)), trigger="cli")
    run_advisor(shop, options=AdvisorOptions(engine_time_limit_s=5), trigger="cli")
    run_advisor(shop, trigger="cli")                             # and a scheduled one after them all

    assert decisions(shop) == before
    index.refresh_from_db()
    assert index.status == Status.ACCEPTED
    moves = Decision.objects.filter(recommendation__target=shop, actor=None).exclude(action="created")
    assert not moves.exists(), list(moves.values_list("recommendation__object_key", "action", "comment"))


def test_it_resolves_when_the_index_really_exists_and_restores_the_decision(shop: Target, target_db: TargetDb,
                                                                               reviewer: User) -> None:
    run_advisor(shop, trigger="cli")
    index = Recommendation.objects.get(target=shop, kind="missing_index")
    decide(index.pk, "accept", request=as_user(reviewer), comment="yes")
    with target_db.connect() as conn:
        conn.execute("CREATE INDEX items_code_lookup ON items (code)")
    collect(shop, ("relations",))
    # Even a run with another budget may resolve it now: the index exists, whatever the options.
    outcome = run_advisor(shop, options=AdvisorOptions(budget_bytes=1024 * 1024), trigger="cli")
    index.refresh_from_db()
    assert index.status == Status.RESOLVED and index.resolved_from == Status.ACCEPTED
    resolved = index.decisions.get(action="resolved")
    assert "index public.items_code_lookup now exists" in resolved.comment
    assert outcome.run.resolved >= 1

    with target_db.connect() as conn:
        conn.execute("DROP INDEX items_code_lookup")
    lookups(target_db)
    collect(shop, ("relations", "statements"))
    run_advisor(shop, trigger="cli")
    index.refresh_from_db()
    assert index.status == Status.ACCEPTED   # the condition came back: the acceptance holds
    people = list(index.decisions.exclude(actor=None).values_list("actor_name", "action", "comment"))
    assert people == [("rita-reviewer", "accepted", "yes")]
