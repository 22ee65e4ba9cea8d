"""The draft: one or several changes rendered as SQL (+ rollback), Django and Alembic, with its lint."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from advisor.drafts.alembic_revision import render_alembic, revision_id
from advisor.drafts.changes import BigintMigration, Change
from advisor.drafts.django_migration import DjangoModel, render_django
from advisor.drafts.plan import DraftOptions, Plan
from advisor.drafts.plans import plan_change
from advisor.drafts.plans.bigint import plan_bigint
from advisor.drafts.sql_script import render_followup, render_forward, render_rollback
from advisor.drafts.verify import verify_draft
from advisor.lint import LintReport, lint_sql


@dataclass(frozen=True)
class DraftFiles:
    """Suggested file names for each part of a draft."""

    sql: str
    rollback_sql: str
    followup_sql: str | None
    django: str
    alembic: str


@dataclass(frozen=True)
class Draft:
    """A migration draft, ready to show, copy or download.

    ``sql`` is a psql script (``psql -X -v ON_ERROR_STOP=1 -f``); ``rollback_sql`` undoes it and is
    safe to run after a partial apply; ``followup_sql`` (bigint plans only) finishes a change later
    and cannot be undone. ``lint`` is the lint report of ``sql``.
    """

    title: str
    changes: tuple[Change, ...]
    plans: tuple[Plan, ...]
    sql: str
    rollback_sql: str
    followup_sql: str | None
    django: str
    alembic: str
    alembic_revision: str
    files: DraftFiles
    lint: LintReport
    rollback_lint: LintReport


def _slug(changes: Sequence[Change]) -> str:
    base = changes[0].slug if len(changes) == 1 else f"{changes[0].slug}_and_{len(changes) - 1}_more"
    return re.sub(r"[^a-z0-9]+", "_", base.lower()).strip("_")[:60] or "migration"


def _plan(change: Change, options: DraftOptions) -> Plan:
    if isinstance(change, BigintMigration):
        return plan_bigint(change, options)  # its rollback writes lock_timeout into a DO block
    return plan_change(change)


def generate_draft(
    changes: Change | Sequence[Change],
    *,
    title: str | None = None,
    options: DraftOptions | None = None,
    django_models: Mapping[tuple[str, str], DjangoModel] | None = None,
    django_dependencies: Sequence[tuple[str, str]] = (),
    alembic_down_revision: str | None = None,
) -> Draft:
    """Plan ``changes`` (applied in the given order) and render every form of the draft.

    ``django_models`` maps ``(schema, table)`` to the Django model behind it; plain column indexes on
    those tables use ``AddIndexConcurrently``/``RemoveIndexConcurrently``, the rest ``RunSQL``.
    Raises ``ValueError`` for an empty list or changes that cannot be planned, and its subclass
    ``UnsafeDraft`` when a rendered part does not say exactly what the plan says (``verify``): then
    no part of the draft is returned.
    """
    items = (changes,) if isinstance(changes, Change) else tuple(changes)
    if not items:
        raise ValueError("no changes to draft")
    options = options or DraftOptions()
    plans = tuple(_plan(c, options) for c in items)
    title = title or "; ".join(p.title for p in plans)
    slug = _slug(items)
    rollback_name = f"{slug}.rollback.sql"
    sql = render_forward(title, plans, options, rollback_name=rollback_name)
    rollback = render_rollback(title, plans, options)
    followup = render_followup(title, plans, options)
    alembic = render_alembic(title, plans, options, down_revision=alembic_down_revision)
    rev = re.search(r"^revision = '([0-9a-f]+)'", alembic, re.MULTILINE)
    revision = rev.group(1) if rev else revision_id(alembic)
    files = DraftFiles(
        sql=f"{slug}.sql", rollback_sql=rollback_name,
        followup_sql=f"{slug}.followup.sql" if followup else None,
        django=f"dbconsole_{slug}.py"[:80], alembic=f"{revision}_{slug}.py",
    )
    django = render_django(title, plans, options, models=django_models, dependencies=django_dependencies)
    verify_draft(plans, options, sql=sql, rollback=rollback, followup=followup, django=django, alembic=alembic)
    return Draft(
        title=title, changes=items, plans=plans, sql=sql, rollback_sql=rollback, followup_sql=followup,
        django=django, alembic=alembic, alembic_revision=revision, files=files,
        lint=lint_sql(sql), rollback_lint=lint_sql(rollback),
    )
