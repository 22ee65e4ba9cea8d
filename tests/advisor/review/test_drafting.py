"""Drafts made from accepted recommendations run on the real target, and so do their rollbacks; after
the migration the advisor finds the problems gone and resolves their recommendations by itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory

from advisor.lint import Severity
from advisor.models import Recommendation, Status
from advisor.review.decisions import decide
from advisor.review.drafting import draft_recommendations
from advisor.review.run import run_advisor
from tests.advisor.corpus.planted import run_psql
from tests.advisor.planted_shop import Planted, collect, planted_shop

pytestmark = pytest.mark.django_db

# What the planted shop's migration changes for good; the rest of its problems need time (autovacuum
# to come by) or are advice, not migrations.
FIXED_BY_THE_DRAFT = {"missing_index", "fk_without_index", "duplicate_index", "unused_index", "invalid_index",
                      "not_valid_constraint"}


@pytest.fixture(scope="module", params=[15, 18], ids=["pg15", "pg18"])
def planted(request: pytest.FixtureRequest, django_db_setup: Any, django_db_blocker: Any) -> Iterator[Planted]:
    yield from planted_shop(request, django_db_blocker)


def accept_all(recs: list[Recommendation], user: User) -> list[Recommendation]:
    request = RequestFactory().post("/")
    request.user = user
    for rec in recs:
        decide(rec.pk, "accept", request=request, comment="ship it in the next maintenance window")
    return list(Recommendation.objects.filter(pk__in=[r.pk for r in recs]).order_by("pk"))


def test_it_each_recommendation_alone_gives_a_draft_that_lints_clean(planted: Planted, reviewer: User) -> None:
    recs = accept_all([r for r in planted.outcome.recommendations if r.changes], reviewer)
    assert len(recs) >= 10
    for rec in recs:
        outcome = draft_recommendations(planted.target, [rec])
        assert outcome.draft is not None, (rec.kind, outcome.excluded, outcome.error)
        assert not outcome.draft.lint.reaches(Severity.WARNING), (rec.kind, outcome.draft.lint.to_dict())
        assert outcome.draft.rollback_sql.strip() and outcome.draft.django and outcome.draft.alembic


def test_it_whole_migration_applies_resolves_and_rolls_back(planted: Planted, reviewer: User,
                                                              tmp_path: Path) -> None:
    recs = accept_all([r for r in planted.outcome.recommendations if r.changes], reviewer)
    outcome = draft_recommendations(planted.target, recs)
    assert outcome.draft is not None and not outcome.excluded, outcome.excluded
    draft = outcome.draft

    applied = run_psql(planted.db, draft.sql, tmp_path / draft.files.sql)
    assert applied.returncode == 0, applied.stderr
    with planted.db.connect() as conn:
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}
        assert {"orders_customer_id_idx", "order_lines_order_id_idx", "payments_order_id_idx"} <= indexes
        assert not {"customers_last_login_idx", "customers_email_key_broken"} & indexes
        assert len({"products_sku_idx", "products_sku_dup"} & indexes) == 1
        assert conn.execute("SELECT format_type(atttypid, NULL) FROM pg_attribute "
                            "WHERE attrelid = 'tickets'::regclass AND attname = 'id'").fetchone() == ("bigint",)

    collect(planted.target)
    after = run_advisor(planted.target, trigger="cli")
    still = {r.kind for r in after.recommendations} & FIXED_BY_THE_DRAFT
    assert not still, [r.object_key for r in after.recommendations if r.kind in still]
    resolved = Recommendation.objects.filter(pk__in=[r.pk for r in recs], kind__in=FIXED_BY_THE_DRAFT)
    assert set(resolved.values_list("status", flat=True)) == {Status.RESOLVED}
    assert after.run.resolved >= len(resolved)

    undone = run_psql(planted.db, draft.rollback_sql, tmp_path / draft.files.rollback_sql)
    assert undone.returncode == 0, undone.stderr
    with planted.db.connect() as conn:
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}
        assert {"customers_last_login_idx", "products_sku_idx", "products_sku_dup"} <= indexes
        assert not {"orders_customer_id_idx", "payments_order_id_idx"} & indexes
