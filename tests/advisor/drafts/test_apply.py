"""Every kind of change: its SQL draft runs with psql on a real target, and so does its rollback."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.drafts import DraftOptions, generate_draft
from advisor.drafts.sql_script import step_statements
from advisor.lint import Severity
from tests.advisor.corpus.cases import CASES, Case
from tests.advisor.corpus.planted import data, fingerprint, plant, run_psql
from tests.support.targets import TargetDb


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_it_applies_and_rolls_back_each_draft(case: Case, target_db: TargetDb, tmp_path: Path) -> None:
    plant(target_db)
    with target_db.connect() as conn:
        change = case.build(conn)
        before, rows = fingerprint(conn), data(conn)
    draft = generate_draft(change)
    assert not draft.lint.reaches(Severity.WARNING), draft.lint.to_dict()

    applied = run_psql(target_db, draft.sql, tmp_path / draft.files.sql)
    assert applied.returncode == 0, applied.stderr
    with target_db.connect() as conn:
        case.applied(conn)
        after = fingerprint(conn)
    assert after != before or case.name in {"reindex", "table_bloat"}

    undone = run_psql(target_db, draft.rollback_sql, tmp_path / draft.files.rollback_sql)
    assert undone.returncode == 0, undone.stderr
    with target_db.connect() as conn:
        if case.after_rollback:
            case.after_rollback(conn)
        assert fingerprint(conn) == (before if case.reversible else after)
        assert data(conn) == rows

    # A rollback leaves the target as it was: the same draft applies again.
    again = run_psql(target_db, draft.sql, tmp_path / ("again-" + draft.files.sql))
    assert again.returncode == 0, again.stderr


def test_it_applies_several_changes_as_one_draft(pg18_db: TargetDb, tmp_path: Path) -> None:
    plant(pg18_db)
    picked = [c for c in CASES if c.name in {"fk_index", "add_foreign_key", "autovacuum", "validate_constraint"}]
    with pg18_db.connect() as conn:
        changes = [c.build(conn) for c in picked]
        before = fingerprint(conn)
    draft = generate_draft(changes)
    assert run_psql(pg18_db, draft.sql, tmp_path / "up.sql").returncode == 0
    with pg18_db.connect() as conn:
        for c in picked:
            c.applied(conn)
    assert run_psql(pg18_db, draft.rollback_sql, tmp_path / "down.sql").returncode == 0
    with pg18_db.connect() as conn:
        changed = set(fingerprint(conn)) ^ set(before)
    # Only the validation stays (it cannot be undone).
    assert {b for _kind, b in changed} == {
        '"Shop"."Order Items" Qty positive CHECK (("Qty" > 0))',
        '"Shop"."Order Items" Qty positive CHECK (("Qty" > 0)) NOT VALID',
    }


def test_it_stops_at_an_invalid_leftover_instead_of_skipping_it(pg15_db: TargetDb, tmp_path: Path) -> None:
    plant(pg15_db)
    with pg15_db.connect() as conn:
        conn.execute("""INSERT INTO "Shop"."Customers" ("Email") VALUES ('C1@example.com')""")
    case = next(c for c in CASES if c.name == "create_unique_expression_index")
    with pg15_db.connect() as conn:
        draft = generate_draft(case.build(conn))
    first = run_psql(pg15_db, draft.sql, tmp_path / "first.sql")
    assert first.returncode != 0 and "could not create unique index" in first.stderr
    # IF NOT EXISTS would now skip the build silently; the draft's check catches the INVALID index.
    second = run_psql(pg15_db, draft.sql, tmp_path / "second.sql")
    assert second.returncode != 0 and "is INVALID" in second.stderr
    assert run_psql(pg15_db, draft.rollback_sql, tmp_path / "down.sql").returncode == 0
    with pg15_db.connect() as conn:
        assert conn.execute("SELECT to_regclass('\"Shop\".\"Customers_lower_email_key\"')").fetchone() == (None,)


def test_it_rolls_back_each_bigint_stage_on_its_own(pg18_db: TargetDb, tmp_path: Path) -> None:
    plant(pg18_db)
    case = next(c for c in CASES if c.name == "bigint_serial_primary_key")
    with pg18_db.connect() as conn:
        draft = generate_draft(case.build(conn))
        before = fingerprint(conn)
    (plan,) = draft.plans
    stages = sorted({s.stage for s in plan.steps})
    for last in stages:
        steps = [s for s in plan.steps if s.stage <= last]
        forward = [x + ";" for s in steps for x in step_statements(s.forward, s.mode, DraftOptions())]
        back = [x + ";" for s in reversed(steps) for x in step_statements(s.rollback, s.mode, DraftOptions())]
        assert run_psql(pg18_db, "\n".join(forward), tmp_path / f"up{last}.sql").returncode == 0
        result = run_psql(pg18_db, "\n".join(back), tmp_path / f"down{last}.sql")
        assert result.returncode == 0, (last, result.stderr)
        with pg18_db.connect() as conn:
            assert fingerprint(conn) == before, f"rollback after stage {last}"
