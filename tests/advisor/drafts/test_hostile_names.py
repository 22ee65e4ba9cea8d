"""Drafts are safe by construction: the hostile-name corpus, planted in a real target (PostgreSQL 15 and
18), drafted with every kind of change. For each name, on a copy of that database:

* the SQL draft, run with the real ``psql -X -f``, creates exactly what the plan creates (catalog
  identities before/after) and the rollback puts every definition and every row back;
* no payload ran: no ``pwned_…`` relation, no file written by a psql meta-command or by Python;
* the Django and Alembic drafts parse, import without running anything (sentinel files), and — on
  PostgreSQL 18 — run up and down through Django and Alembic themselves with the same result.
"""

from __future__ import annotations

import ast as pyast
import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pglast import ast as pg
from pglast import parse_sql
from pglast.visitors import Visitor

from advisor.drafts import Draft, generate_draft
from advisor.drafts.verify import forward_statements
from advisor.lint import Severity
from tests.advisor.corpus import hostile
from tests.advisor.drafts.test_frameworks import load, run_alembic
from tests.support.targets import TargetDb


class _Created(Visitor):
    """Names a statement gives to new objects (indexes, constraints, columns, functions, triggers)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def visit_IndexStmt(self, ancestors: Any, node: pg.IndexStmt) -> None:
        self.names.add(str(node.idxname))

    def visit_Constraint(self, ancestors: Any, node: pg.Constraint) -> None:
        if node.conname:
            self.names.add(str(node.conname))

    def visit_ColumnDef(self, ancestors: Any, node: pg.ColumnDef) -> None:
        self.names.add(str(node.colname))

    def visit_RenameStmt(self, ancestors: Any, node: pg.RenameStmt) -> None:
        self.names.add(str(node.newname))

    def visit_CreateFunctionStmt(self, ancestors: Any, node: pg.CreateFunctionStmt) -> None:
        self.names.add(str((node.funcname or ())[-1].sval))

    def visit_CreateTrigStmt(self, ancestors: Any, node: pg.CreateTrigStmt) -> None:
        self.names.add(str(node.trigname))


def created_by(statements: list[str]) -> set[str]:
    visitor = _Created()
    for text in statements:
        for raw in parse_sql(text):
            if raw.stmt is not None:
                visitor(raw.stmt)
    return visitor.names


@contextlib.contextmanager
def copy_of(db: TargetDb, suffix: str) -> Iterator[TargetDb]:
    """A copy of ``db`` (CREATE DATABASE … TEMPLATE), dropped afterwards."""
    copy = TargetDb(cluster=db.cluster, dbname=f"{db.dbname}_{suffix}")
    with psycopg.connect(db.cluster.conninfo(), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{copy.dbname}" TEMPLATE "{db.dbname}"')
    try:
        yield copy
    finally:
        with psycopg.connect(db.cluster.conninfo(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{copy.dbname}" WITH (FORCE)')


def psql(db: TargetDb, text: str, workdir: Path, filename: str) -> subprocess.CompletedProcess[str]:
    """``psql -X -v ON_ERROR_STOP=1 -f FILE`` as the draft says, in ``workdir`` (where a ``\\!`` would write)."""
    path = workdir / filename
    path.write_text(text)
    binary = db.cluster.bindir / "psql"
    return subprocess.run([str(binary) if binary.exists() else "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                           "-d", db.cluster.url(db.dbname), "-f", str(path)],
                          capture_output=True, text=True, timeout=240, check=False, cwd=workdir)


def sentinels(*folders: Path) -> list[str]:
    return sorted(p.name for folder in folders for p in folder.iterdir() if p.name.startswith("PWNED"))


@pytest.fixture
def planted(target_db: TargetDb) -> Iterator[tuple[TargetDb, list[hostile.Planted]]]:
    with target_db.connect() as conn:
        conn.execute("CREATE TABLE public.victim (id int)")
        corpus = [hostile.plant(conn, name) for name in hostile.HOSTILE_NAMES]
    yield target_db, corpus  # no session left open: the database is the template of each copy


def test_it_names_a_corpus_that_fits_postgresql() -> None:
    names = hostile.HOSTILE_NAMES
    assert len(names) >= 20 and len(set(names)) == len(names)
    assert all(0 < len(n.encode()) <= 63 and "\x00" not in n for n in names)
    assert max(len(n.encode()) for n in names) == 63
    for needle in ("\n", "*/", "--", "'", '"', "`", '"""', "'''", "\\", "$", "%", ":", "\r", "\u202e"):
        assert any(needle in n for n in names), needle


def test_it_drafts_hostile_names_that_run_exactly_as_planned(
    planted: tuple[TargetDb, list[hostile.Planted]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    db, corpus = planted
    monkeypatch.chdir(tmp_path)  # where an escaped open()/touch would write
    with db.connect() as conn:
        drafts = [generate_draft(hostile.changes(conn, p)) for p in corpus]
    # (the connection is closed again: copies need a template nobody is connected to)
    for number, (p, draft) in enumerate(zip(corpus, drafts, strict=True)):
        workdir = tmp_path / f"name-{number}"
        workdir.mkdir()
        _check_texts(draft, p)
        _import_frameworks(draft, workdir)
        with copy_of(db, f"c{number}") as copy:
            _apply_and_roll_back(copy, draft, p, workdir)
        if db.major == 18:
            with copy_of(db, f"a{number}") as copy:
                _run_alembic_up_and_down(copy, draft, p, workdir)
        assert sentinels(workdir, tmp_path, Path.cwd()) == [], f"a payload ran for {p.name!r}"


def _check_texts(draft: Draft, p: hostile.Planted) -> None:
    """The drafts lint clean, and the Python files hold nothing at the top but a docstring, imports, plain
    assignments and the migration class or functions (a name that escaped its literal would add code)."""
    assert not draft.lint.reaches(Severity.WARNING), (p.name, draft.lint.to_dict())
    assert not draft.rollback_lint.reaches(Severity.WARNING), (p.name, draft.rollback_lint.to_dict())
    for text in (draft.django, draft.alembic):
        tree = pyast.parse(text)
        kinds = [type(node).__name__ for node in tree.body]
        assert kinds[0] == "Expr" and set(kinds[1:]) <= {"ImportFrom", "Assign", "ClassDef", "FunctionDef"}, kinds
        assert pyast.get_docstring(tree) is not None and p.name not in (pyast.get_docstring(tree) or "")


def _import_frameworks(draft: Draft, workdir: Path) -> None:
    """Importing the Django and Alembic drafts, as the frameworks do, defines a migration and nothing else."""
    django = load(workdir / draft.files.django, draft.django)
    alembic = load(workdir / draft.files.alembic, draft.alembic)
    assert django.Migration.atomic is False and django.Migration.operations
    assert callable(alembic.upgrade) and alembic.revision == draft.alembic_revision
    assert sentinels(workdir, Path.cwd()) == []


def _apply_and_roll_back(copy: TargetDb, draft: Draft, p: hostile.Planted, workdir: Path) -> None:
    with copy.connect() as conn:
        before, definitions, rows = hostile.identities(conn), hostile.definitions(conn), hostile.rows(conn, p)
    applied = psql(copy, draft.sql, workdir, draft.files.sql)
    assert applied.returncode == 0, (p.name, applied.stderr)
    with copy.connect() as conn:
        after = hostile.identities(conn)
        _applied(conn, p)
    planned = forward_statements(draft.plans, _options())
    created = created_by(planned)
    unexpected = {i for i in after - before if i[3] not in created}
    assert not unexpected, (p.name, unexpected)
    assert before - after == {("relation", p.name, "i", p.drop_index)}, (p.name, before - after)
    undone = psql(copy, draft.rollback_sql, workdir, draft.files.rollback_sql)
    assert undone.returncode == 0, (p.name, undone.stderr)
    with copy.connect() as conn:
        assert hostile.identities(conn) == before, p.name
        restored = hostile.definitions(conn)
        assert hostile.rows(conn, p) == rows, p.name
    assert restored == definitions, (p.name, set(restored) ^ set(definitions))


def _applied(conn: psycopg.Connection[Any], p: hostile.Planted) -> None:
    """What the draft was for happened."""
    def one(query: str, *params: Any) -> Any:
        row = conn.execute(query, params).fetchone()
        return row[0] if row else None

    schema = p.name
    assert one("SELECT convalidated FROM pg_constraint WHERE conname = %s AND connamespace = "
               "(SELECT oid FROM pg_namespace WHERE nspname = %s)", schema, schema) is True
    assert one("SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n "
               "ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT i.indisvalid", schema) == 0
    assert one("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = "
               "(SELECT oid FROM pg_namespace WHERE nspname = %s)", schema) == 1
    assert one("SELECT format_type(a.atttypid, NULL) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
               "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s "
               "AND a.attname = %s", schema, p.wide, p.name) == "bigint"
    assert one("SELECT format_type(s.seqtypid, NULL) FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
               "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
               schema, p.sequence) == "bigint"


def _run_alembic_up_and_down(copy: TargetDb, draft: Draft, p: hostile.Planted, workdir: Path) -> None:
    """Through Alembic itself (SQLAlchemy's text(), the psycopg driver): the same result as psql."""
    module = load(workdir / ("run-" + draft.files.alembic), draft.alembic)
    with copy.connect() as conn:
        before, definitions = hostile.identities(conn), hostile.definitions(conn)
    run_alembic(module, copy, "upgrade")
    with copy.connect() as conn:
        _applied(conn, p)
    run_alembic(module, copy, "downgrade")
    with copy.connect() as conn:
        assert hostile.identities(conn) == before, p.name
        assert hostile.definitions(conn) == definitions, p.name


def _options() -> Any:
    from advisor.drafts import DraftOptions

    return DraftOptions()
