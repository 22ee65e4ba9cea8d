"""Drafts are safe by construction: the hostile-name corpus, planted in a real target (PostgreSQL 15 and
18), drafted with every kind of change. For each name, on a copy of that database:

* the SQL draft, run with the real ``psql -X -f``, creates exactly what the plan creates (catalog
  identities before/after) and the rollback puts every definition and every row back;
* no payload ran: no ``pwned_…`` relation, no file written by a psql meta-command or by Python;
* the Django and Alembic drafts parse, import without running anything (sentinel files), and — on
  PostgreSQL 18 — run up and down through Alembic and Django themselves with the same result.
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

from advisor.drafts import Draft, DraftOptions, generate_draft
from advisor.drafts.verify import forward_statements
from advisor.lint import Severity
from tests.advisor.corpus import hostile
from tests.advisor.drafts.test_frameworks import load, run_alembic, run_django
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
    django_db_blocker: Any,
) -> None:
    db, corpus = planted
    monkeypatch.chdir(tmp_path)  # where an escaped open()/touch would write
    with db.connect() as conn:
        per_name = [hostile.changes(conn, p) for p in corpus]
    # (the connection is closed again: copies need a template nobody is connected to)
    for number, (p, changes) in enumerate(zip(corpus, per_name, strict=True)):
        workdir = tmp_path / f"name-{number}"
        workdir.mkdir()
        draft = generate_draft(changes)
        _check_texts(draft, p)
        _import_frameworks(draft, workdir)
    # Run on the database: every name's changes in one draft (one psql run each way, not two per name).
    everything = generate_draft([c for changes in per_name for c in changes])
    with copy_of(db, "psql") as copy:
        _apply_and_roll_back(copy, everything, corpus, tmp_path)
    if db.major == 18:
        with copy_of(db, "frameworks") as copy:
            _run_frameworks_up_and_down(copy, everything, corpus, tmp_path, django_db_blocker)
    assert sentinels(tmp_path, *(d for d in tmp_path.iterdir() if d.is_dir())) == [], "a payload ran"


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


def _apply_and_roll_back(copy: TargetDb, draft: Draft, corpus: list[hostile.Planted], workdir: Path) -> None:
    with copy.connect() as conn:
        before, definitions = hostile.identities(conn), hostile.definitions(conn)
        rows = [hostile.rows(conn, p) for p in corpus]
    applied = psql(copy, draft.sql, workdir, draft.files.sql)
    assert applied.returncode == 0, applied.stderr
    with copy.connect() as conn:
        after = hostile.identities(conn)
        for p in corpus:
            _applied(conn, p)
    created = created_by(forward_statements(draft.plans, DraftOptions()))
    unexpected = {i for i in after - before if i[3] not in created}
    assert not unexpected, unexpected
    assert before - after == {("relation", p.name, "i", p.drop_index) for p in corpus}, before - after
    undone = psql(copy, draft.rollback_sql, workdir, draft.files.rollback_sql)
    assert undone.returncode == 0, undone.stderr
    with copy.connect() as conn:
        assert hostile.identities(conn) == before
        restored = hostile.definitions(conn)
        assert [hostile.rows(conn, p) for p in corpus] == rows
    assert restored == definitions, set(restored) ^ set(definitions)


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


def _run_frameworks_up_and_down(copy: TargetDb, draft: Draft, corpus: list[hostile.Planted], workdir: Path,
                                django_db_blocker: Any) -> None:
    """Through Alembic (SQLAlchemy's text(), the psycopg driver) and Django (RunSQL on its own connection)
    themselves: the same result as psql, up and down."""
    alembic = load(workdir / ("run-" + draft.files.alembic), draft.alembic)
    django = load(workdir / ("run-" + draft.files.django), draft.django)
    with copy.connect() as conn:
        before, definitions = hostile.identities(conn), hostile.definitions(conn)
    for up, down in ((lambda: run_alembic(alembic, copy, "upgrade"), lambda: run_alembic(alembic, copy, "downgrade")),
                     (lambda: run_django(django, copy), lambda: run_django(django, copy, backwards=True))):
        with django_db_blocker.unblock():
            up()
        with copy.connect() as conn:
            for p in corpus:
                _applied(conn, p)
        with django_db_blocker.unblock():
            down()
        with copy.connect() as conn:
            assert hostile.identities(conn) == before
            assert hostile.definitions(conn) == definitions
