"""The quoting layers round-trip every hostile name, and the verifier refuses a draft that says more than
its plan — whatever the way (a statement in a comment, code in a docstring, a psql command, an import)."""

from __future__ import annotations

import ast

import pytest

from advisor.drafts import CreateIndex, DraftOptions, DropIndex, UnsafeDraft, generate_draft
from advisor.drafts.pysource import py_comment, py_str
from advisor.drafts.verify import all_statements, forward_statements, verify_python, verify_script
from advisor.lint.script import split_script
from pgsql.ident import dollar_quote, printable, quote_ident, sql_comment
from tests.advisor.corpus.hostile import HOSTILE_NAMES

ISSUE_TABLE = "nl\nSELECT 'injected-from-table-name'; --"
ISSUE_DOCSTRING = "z\"\"\"+str(__import__('os').getpid())+\"\"\""


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_it_quotes_each_name_for_each_language(name: str) -> None:
    assert ast.literal_eval(py_str(name)) == name
    assert ast.literal_eval(py_str(f"SELECT 1\nFROM {quote_ident(name)}")) == f"SELECT 1\nFROM {quote_ident(name)}"
    comment = py_comment(name)
    assert "\n" not in comment and "\r" not in comment and comment.isprintable()
    assert ast.parse(comment + "\nx = 1").body[0].__class__ is ast.Assign  # the comment ended where it should
    line = sql_comment(name)
    assert line.isprintable() and "*/" not in line and "/*" not in line and "--" not in line
    assert "\n" not in printable(name) and printable(name).isprintable()
    quoted = dollar_quote(f"SELECT {quote_ident(name)}")
    tag = quoted[: quoted.index("$", 1) + 1]
    assert quoted.endswith(tag) and quoted[len(tag):-len(tag)].find(tag) == -1


def test_it_drafts_the_issues_two_names_without_a_live_line() -> None:
    draft = generate_draft([CreateIndex("public", ISSUE_TABLE, keys=("a",)),
                            CreateIndex("public", ISSUE_DOCSTRING, keys=("a",))])
    # The name spans lines only inside its quotes: psql (and PostgreSQL's parser) see no SELECT.
    kinds = [type(p.node).__name__ for p in split_script(draft.sql) if not p.meta]
    assert "SelectStmt" not in kinds and all(p.error is None for p in split_script(draft.sql))
    assert not [s for s in draft.lint.statements if s.kind == "Select"]
    for text in (draft.django, draft.alembic):
        module = ast.parse(text)
        docstring = ast.get_docstring(module) or ""
        assert '"""' not in docstring and "getpid" not in docstring and "injected" not in docstring


def _draft() -> tuple[list[str], str, str, str]:
    """(every statement of the plan, SQL, Django, Alembic) of a plain draft."""
    draft = generate_draft(CreateIndex("public", "orders", keys=("customer_id",)))
    return all_statements(draft.plans, DraftOptions()), draft.sql, draft.django, draft.alembic


def test_it_refuses_a_script_with_a_statement_the_plan_does_not_have() -> None:
    _all, sql, _django, _alembic = _draft()
    planned = forward_statements(generate_draft(CreateIndex("public", "orders", keys=("customer_id",))).plans,
                                 DraftOptions())
    verify_script("SQL", sql, planned)
    for tampered in (sql.replace("-- Step 1.1:", "SELECT 'injected';\n-- Step 1.1:"),
                     sql.replace("-- Step 1.1: create index", "-- Step 1.1:\nDROP TABLE orders; --"),
                     sql.replace("RESET statement_timeout;", "RESET statement_timeout;\n\\! touch x"),
                     sql.replace("\\set ON_ERROR_STOP on", "")):
        with pytest.raises(UnsafeDraft, match="the SQL draft was refused"):
            verify_script("SQL", tampered, planned)


@pytest.mark.parametrize("payload", [
    '"""+str(__import__("os").getpid())+"""',
    '"""\nimport os\n"""',
    '"""\nos = __import__("os")\n"""',
    '"""\nclass Migration: pass\n"""',
    '"""\nx = [open("f", "w")]\n"""',
    '"""\ndef upgrade() -> None:\n    print(1)\n"""',
])
def test_it_refuses_python_that_would_run_code_on_import(payload: str) -> None:
    planned, _sql, django, alembic = _draft()
    for part, text in (("Django", django), ("Alembic", alembic)):
        verify_python(part, text, planned)
        tampered = text.replace('"""dbconsole migration draft', '"""dbconsole migration draft' + payload, 1)
        with pytest.raises(UnsafeDraft):
            verify_python(part, tampered, planned)


def test_it_refuses_python_that_sends_a_statement_the_plan_does_not_have() -> None:
    planned, _sql, django, alembic = _draft()
    with pytest.raises(UnsafeDraft, match="not in the plan"):
        verify_python("Alembic", alembic.replace("op.execute('RESET lock_timeout')",
                                                 "op.execute('DROP TABLE orders')"), planned)
    with pytest.raises(UnsafeDraft, match="not in the plan"):
        verify_python("Django", django.replace("'RESET lock_timeout'", "'DROP TABLE orders'", 1), planned)


def test_it_refuses_a_name_that_alembic_cannot_carry() -> None:
    with pytest.raises(UnsafeDraft, match=r"cannot pass on unchanged"):
        generate_draft(CreateIndex("public", "orders", keys=("a\\:b",)))


def test_it_refuses_an_index_definition_that_smuggles_a_statement() -> None:
    with pytest.raises(ValueError, match="one CREATE INDEX statement"):
        generate_draft(DropIndex("public", "orders", name="orders_idx", reason="unused",
                                 definition="CREATE INDEX orders_idx ON orders (a); DROP TABLE orders"))
