"""The Django and Alembic drafts import, say the same as the SQL draft, and run up and down on a target."""

from __future__ import annotations

import ast as pyast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy
from alembic.migration import MigrationContext
from alembic.operations import Operations
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import connections, migrations, models
from django.db.backends.postgresql.base import DatabaseWrapper
from django.db.migrations.state import ModelState, ProjectState

from advisor.drafts import CreateIndex, DjangoModel, Draft, DropIndex, generate_draft
from advisor.lint.script import split_script
from tests.advisor.corpus.cases import CASES, Case, index_state
from tests.advisor.corpus.planted import data, fingerprint, plant
from tests.support.targets import TargetDb

EVENT = DjangoModel("shop", "event", fields={"id": "id", "kind": "kind", "customer_id": "customer"},
                    indexes=frozenset({"shop_event_kind_idx"}))
MODELS = {("public", "shop_event"): EVENT}


def load(path: Path, text: str) -> ModuleType:
    """Import a generated file as a module, the way Django and Alembic load migration files."""
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(f"draft_{abs(hash(path))}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def sql_statements(sql: str) -> list[str]:
    """The statements of a SQL draft, without transaction control and the final RESETs."""
    skip = ("BEGIN", "COMMIT", "RESET ")
    return [p.text for p in split_script(sql) if not p.meta and not p.text.startswith(skip)]


# -- Django ---------------------------------------------------------------------------------------

def event_state() -> ProjectState:
    state = ProjectState()
    state.add_model(ModelState("shop", "event", fields=[
        ("id", models.IntegerField(primary_key=True)),
        ("kind", models.TextField()),
        ("customer", models.IntegerField(null=True, db_column="customer_id")),
    ], options={"db_table": "shop_event", "indexes": [models.Index(fields=["kind"], name="shop_event_kind_idx")]}))
    return state


def target_wrapper(db: TargetDb) -> DatabaseWrapper:
    settings = {**connections["default"].settings_dict, "NAME": db.dbname, "HOST": "127.0.0.1",
                "PORT": str(db.cluster.port), "USER": "postgres", "PASSWORD": db.cluster.password}
    wrapper = DatabaseWrapper(settings, alias="draft_target")
    connections["draft_target"] = wrapper  # django.contrib.postgres looks connections up by alias
    return wrapper


def run_django(module: ModuleType, db: TargetDb, *, backwards: bool = False) -> None:
    migration = module.Migration("draft", "shop")
    wrapper = target_wrapper(db)
    states = [event_state()]
    for op in migration.operations:
        nxt = states[-1].clone()
        op.state_forwards("shop", nxt)
        states.append(nxt)
    try:
        with wrapper.schema_editor(atomic=False) as editor:
            if backwards:
                for i in reversed(range(len(migration.operations))):
                    migration.operations[i].database_backwards("shop", editor, states[i + 1], states[i])
            else:
                for i, op in enumerate(migration.operations):
                    op.database_forwards("shop", editor, states[i], states[i + 1])
    finally:
        wrapper.close()
        del connections["draft_target"]


def runsql_statements(module: ModuleType) -> list[str]:
    out: list[str] = []
    for op in module.Migration("draft", "shop").operations:
        if isinstance(op, migrations.RunSQL) and isinstance(op.sql, list):
            out += [s for text in op.sql if isinstance(text, str) for s in sql_statements(text)]
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_it_runs_the_django_draft_up_and_down(case: Case, pg18_db: TargetDb, tmp_path: Path,
                                              django_db_blocker: Any) -> None:
    plant(pg18_db)
    with pg18_db.connect() as conn:
        draft = generate_draft(case.build(conn), django_models=MODELS)
        before, rows = fingerprint(conn), data(conn)
    module = load(tmp_path / draft.files.django, draft.django)
    assert module.Migration.atomic is False
    assert runsql_statements(module) == [s for s in sql_statements(draft.sql) if s != "RESET lock_timeout"]
    with django_db_blocker.unblock():
        run_django(module, pg18_db)
        with pg18_db.connect() as conn:
            case.applied(conn)
        run_django(module, pg18_db, backwards=True)
    with pg18_db.connect() as conn:
        if case.after_rollback:
            case.after_rollback(conn)
        if case.reversible:
            assert fingerprint(conn) == before
        assert data(conn) == rows


def test_it_uses_django_index_operations_for_a_known_model(pg18_db: TargetDb, tmp_path: Path,
                                                           django_db_blocker: Any) -> None:
    plant(pg18_db)
    add = generate_draft(CreateIndex("public", "shop_event", keys=("customer_id",)), django_models=MODELS)
    module = load(tmp_path / "add.py", add.django)
    ops = [op for op in module.Migration("draft", "shop").operations if isinstance(op, AddIndexConcurrently)]
    assert len(ops) == 1 and ops[0].model_name == "event"
    assert ops[0].index.name == "shop_event_customer_id_idx" and ops[0].index.fields == ["customer"]
    assert '"shop_event_customer_id_idx" ON "public"."shop_event" USING btree ("customer_id")' in add.sql
    with django_db_blocker.unblock():
        run_django(module, pg18_db)
        with pg18_db.connect() as conn:
            assert index_state(conn, "public", "shop_event_customer_id_idx") is True
        run_django(module, pg18_db, backwards=True)
    with pg18_db.connect() as conn:
        assert index_state(conn, "public", "shop_event_customer_id_idx") is None
        conn.execute("CREATE INDEX shop_event_kind_idx ON shop_event (kind)")
        row = conn.execute("SELECT pg_get_indexdef('shop_event_kind_idx'::regclass)").fetchone()
        assert row is not None
        definition = str(row[0])
    drop = generate_draft(DropIndex("public", "shop_event", name="shop_event_kind_idx", definition=definition),
                          django_models=MODELS)
    ops = load(tmp_path / "drop.py", drop.django).Migration("draft", "shop").operations
    assert [type(op) for op in ops if not isinstance(op, migrations.RunSQL)] == [RemoveIndexConcurrently]
    # An index Django's state doesn't know falls back to RunSQL (RemoveIndexConcurrently would fail).
    unknown = generate_draft(DropIndex("public", "shop_event", name="other", definition=definition.replace(
        "shop_event_kind_idx", "other")), django_models=MODELS)
    ops = load(tmp_path / "unknown.py", unknown.django).Migration("draft", "shop").operations
    assert all(isinstance(op, migrations.RunSQL) for op in ops)


# -- Alembic --------------------------------------------------------------------------------------

def alembic_statements(text: str) -> list[str]:
    """The SQL strings passed to op.execute, in order, with SQLAlchemy's colon escapes undone."""
    calls = [n for n in pyast.walk(pyast.parse(text)) if isinstance(n, pyast.Call)
             and isinstance(n.func, pyast.Attribute) and n.func.attr == "execute"]
    calls.sort(key=lambda n: (n.lineno, n.col_offset))
    return [str(pyast.literal_eval(c.args[0])).replace("\\:", ":") for c in calls]


def run_alembic(module: ModuleType, db: TargetDb, function: str) -> None:
    url = db.cluster.url(db.dbname).replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as conn:
            # begin_transaction() here plays the per-migration transaction Alembic's runner opens.
            context = MigrationContext.configure(conn)
            with Operations.context(context), context.begin_transaction():
                getattr(module, function)()
    finally:
        engine.dispose()


def upgrade_part(draft: Draft) -> str:
    return draft.alembic.split("def downgrade")[0]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_it_runs_the_alembic_revision_up_and_down(case: Case, pg15_db: TargetDb, tmp_path: Path) -> None:
    plant(pg15_db)
    with pg15_db.connect() as conn:
        draft = generate_draft(case.build(conn))
        before, rows = fingerprint(conn), data(conn)
    module = load(tmp_path / draft.files.alembic, draft.alembic)
    assert module.revision == draft.alembic_revision and module.down_revision is None
    expected = [s for s in sql_statements(draft.sql)]
    assert [s for s in alembic_statements(upgrade_part(draft)) if not s.startswith("RESET")] == expected
    run_alembic(module, pg15_db, "upgrade")
    with pg15_db.connect() as conn:
        case.applied(conn)
    run_alembic(module, pg15_db, "downgrade")
    with pg15_db.connect() as conn:
        if case.after_rollback:
            case.after_rollback(conn)
        if case.reversible:
            assert fingerprint(conn) == before
        assert data(conn) == rows
