"""The lint flags every unsafe migration of the corpus — and PostgreSQL agrees the SQL is real."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from advisor.drafts import generate_draft
from advisor.lint import Severity, lint_sql
from tests.advisor.corpus.cases import CASES
from tests.advisor.corpus.planted import plant, run_psql
from tests.support.components import require
from tests.support.targets import TargetDb

CORPUS = Path(__file__).parents[1] / "corpus"
BAD = sorted((CORPUS / "bad").glob("*.sql"))
SAFE = sorted((CORPUS / "safe").glob("*.sql"))


def header(path: Path, key: str) -> str | None:
    match = re.search(rf"^-- {key}: (.+)$", path.read_text(), re.MULTILINE)
    return match.group(1).strip() if match else None


def expected(path: Path) -> set[tuple[str, str]]:
    spec = header(path, "expect")
    assert spec, f"{path.name} has no '-- expect:' line"
    return {tuple(item.split()) for item in spec.split(",")}  # type: ignore[misc]


def test_it_has_one_file_per_pattern() -> None:
    assert len(BAD) >= 25 and len(SAFE) >= 5
    single = [p for p in BAD if len(expected(p)) == 1]
    assert len({next(iter(expected(p)))[0] for p in single}) >= 24


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_it_flags_each_bad_migration(path: Path) -> None:
    report = lint_sql(path.read_text())
    found = {(f.rule, f.severity.value) for f in report.counted() if f.severity is not Severity.INFO}
    assert found == expected(path)
    for finding in report.counted():
        if finding.severity is not Severity.INFO:
            assert finding.safe_alternative, finding.rule
            assert path.read_text().splitlines()[finding.line - 1].strip(), "line points at the statement"


@pytest.mark.parametrize("path", SAFE, ids=[p.stem for p in SAFE])
def test_it_passes_each_safe_migration(path: Path) -> None:
    report = lint_sql(path.read_text())
    assert not report.reaches(Severity.WARNING), [f.to_dict() for f in report.counted()]


@pytest.mark.parametrize("path", BAD + SAFE, ids=[f"{p.parent.name}-{p.stem}" for p in BAD + SAFE])
def test_it_uses_real_sql_in_the_corpus(path: Path, pg15_db: TargetDb, tmp_path: Path) -> None:
    """Each corpus file runs on PostgreSQL — or fails exactly the way its header says."""
    assert run_psql(pg15_db, (CORPUS / "schema.sql").read_text(), tmp_path / "schema.sql").returncode == 0
    result = run_psql(pg15_db, path.read_text(), tmp_path / path.name)
    failure = header(path, "fails")
    if failure:
        assert result.returncode != 0 and failure in result.stderr, result.stderr
    else:
        assert result.returncode == 0, result.stderr


def test_it_passes_every_generated_draft_and_its_rollback(pg15_db: TargetDb) -> None:
    plant(pg15_db)
    with pg15_db.connect() as conn:
        drafts = [generate_draft(case.build(conn)) for case in CASES]
    for draft in drafts:
        assert not draft.lint.reaches(Severity.WARNING), (draft.title, draft.lint.to_dict())
        assert not draft.rollback_lint.reaches(Severity.WARNING), (draft.title, draft.rollback_lint.to_dict())
        locks = {lk.mode.label for st in draft.lint.statements for lk in st.locks}
        assert locks, f"{draft.title}: the report names the locks the draft takes"
    followups = [d for d in drafts if d.followup_sql]
    assert len(followups) == 3  # the bigint plans
    for draft in followups:
        report = lint_sql(draft.followup_sql or "")
        assert [f.rule for f in report.findings if f.allowed] == ["drop-column"]
        assert not report.reaches(Severity.WARNING)


SQUAWK = shutil.which("squawk") or str(Path(__file__).parents[3] / ".venv/bin/squawk")


@pytest.mark.parametrize("path", [p for p in BAD if header(p, "squawk")],
                         ids=[p.stem for p in BAD if header(p, "squawk")])
def test_it_agrees_with_squawk(path: Path) -> None:
    """Cross-check: squawk (an independent linter) also objects to the same pattern."""
    require("squawk", Path(SQUAWK).exists(), "pip install squawk-cli (a dev dependency of pyproject.toml)")
    out = subprocess.run([SQUAWK, "--reporter", "json", str(path)], capture_output=True, text=True,
                         check=False, timeout=60)
    rules = {v["rule_name"] for v in json.loads(out.stdout)}
    assert header(path, "squawk") in rules
