"""Stable advice inside duplicate pairs: the choice is deterministic (constraint, scans, age), waits for
the scans that decide it, and never flips while the structure is unchanged — whatever the scans do."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from advisor.models import Decision, Recommendation
from advisor.review.run import run_advisor
from advisor.rules.context import RuleContext
from advisor.rules.duplicate_indexes import DuplicateIndexes
from advisor.rules.facts import IndexInfo
from advisor.rules.options import AdvisorOptions
from monitoring.models import Target
from tests.advisor.planted_shop import collect
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db

SCHEMA = """
CREATE TABLE products (id serial PRIMARY KEY, sku text NOT NULL, title text NOT NULL);
INSERT INTO products (sku, title) SELECT 'SKU-' || g, 'Product ' || g FROM generate_series(1, 3000) g;
CREATE INDEX products_sku_idx ON products (sku);
CREATE INDEX products_sku_lookup_idx ON products (sku);
ANALYZE products;
"""
RULES = AdvisorOptions(rules=("duplicate_indexes",))


def shop_traffic(db: TargetDb, n: int = 30) -> None:
    with db.connect() as conn:
        for i in range(n):
            conn.execute("SELECT id, title FROM products WHERE sku = %s", (f"SKU-{1 + i * 31}",))


def test_it_waits_for_the_scans_then_keeps_its_choice_run_after_run(target_db: TargetDb) -> None:
    with target_db.connect() as conn:
        conn.execute(SCHEMA)
    target = target_db.make_target()
    collect(target, ("relations",))
    first = run_advisor(target, options=RULES)
    # One sample: scans unknown — no guess, an explicit "too early" naming both indexes.
    assert not [r for r in first.recommendations if r.kind == "duplicate_index"]
    (early,) = [r for r in first.recommendations if r.kind == "cannot_evaluate"]
    assert "which of 2 duplicate index(es) to keep: too early to tell" in early.title
    keys = []
    for _ in range(3):
        shop_traffic(target_db)
        collect(target, ("relations",))
        outcome = run_advisor(target, options=RULES)
        keys.append([r.object_key for r in outcome.recommendations if r.kind == "duplicate_index"])
    assert keys[0] == keys[1] == keys[2] and len(keys[0]) == 1
    (rec,) = Recommendation.objects.filter(target=target, kind="duplicate_index")
    facts = {f["label"]: f["value"] for f in rec.evidence["facts"]}
    assert facts["Kept index's scans in the window"] > facts["Scans in the window"] == 0
    moves = Decision.objects.filter(recommendation__target=target, recommendation__kind="duplicate_index",
                                    action__in=["resolved", "reopened"])
    assert not moves.exists()
    early.refresh_from_db()
    assert early.status == "resolved"   # the scans are known now: the rule sees what it needs


def index(seq: int, name: str, scans: int | None, *, constraint: str = "", oid: int | None = None) -> IndexInfo:
    now = timezone.now()
    return IndexInfo(seq=seq, oid=oid or 16000 + seq, schema="public", name=name, table_seq=1, table_name="products",
                     definition=f"CREATE INDEX {name} ON public.products USING btree (sku)", method="btree",
                     is_unique=bool(constraint), is_primary=False, is_valid=True, constraint_type=constraint,
                     first_seen=now - dt.timedelta(days=30), bytes=8192, scans_total=scans or 0, scans_window=scans,
                     last_scan=None, observed_since=now - dt.timedelta(days=30))


def earlier_choice(target: Target, dropped: IndexInfo, kept: IndexInfo) -> None:
    now = timezone.now()
    Recommendation.objects.create(
        target=target, kind="duplicate_index", object_key=dropped.qualified_name, object_label=dropped.qualified_name,
        category="indexes", severity="warning", title="Duplicate", fingerprint="x", first_seen_at=now,
        last_seen_at=now, status_changed_at=now, evidence={"ids": {"index_seq": dropped.seq, "keep_seq": kept.seq}})


@pytest.fixture
def ctx(pg18_db: TargetDb) -> Any:
    target = pg18_db.make_target()
    with RuleContext(target, AdvisorOptions(), timezone.now()) as context:
        yield context


def test_it_earlier_choice_holds_when_the_scans_move_to_the_other_index(ctx: RuleContext) -> None:
    a, b = index(1, "products_sku_idx", 0), index(2, "products_sku_lookup_idx", 500)
    rule = DuplicateIndexes()
    assert rule._keep(ctx, [a, b]) is b                  # first choice: the scanned one
    earlier_choice(ctx.target, dropped=b, kept=a)      # …but earlier the advice was to keep a
    ctx.__dict__.pop("previous", None)
    assert rule._keep(ctx, [a, b]) is a                  # and it stays so: no flip on scans alone


def test_it_earlier_choice_gives_way_to_a_constraint(ctx: RuleContext) -> None:
    a, b = index(1, "products_sku_idx", 0), index(2, "products_sku_key", 0, constraint="u")
    earlier_choice(ctx.target, dropped=b, kept=a)
    assert DuplicateIndexes()._keep(ctx, [a, b]) is b    # b backs a constraint now: structure changed


def test_it_ties_go_to_the_older_index_and_unknown_scans_wait(ctx: RuleContext) -> None:
    rule = DuplicateIndexes()
    older, younger = index(1, "a_idx", 7, oid=20000), index(2, "b_idx", 7, oid=30000)
    assert rule._keep(ctx, [younger, older]) is older
    assert rule._keep(ctx, [older, index(3, "c_idx", None)]) is None
