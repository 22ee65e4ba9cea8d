"""Changes refuse what cannot work, and names come out quoted and within PostgreSQL's limits."""

from __future__ import annotations

import pytest

from advisor.drafts import CreateIndex, IndexKey, SetAutovacuum, generate_draft
from pgsql.ident import quote_ident


def test_it_quotes_odd_identifiers() -> None:
    assert quote_ident('Order "Items"') == '"Order ""Items"""'
    draft = generate_draft(CreateIndex("My Schema", 'Order "Items"', keys=("Sku",)))
    assert 'ON "My Schema"."Order ""Items""" USING btree ("Sku")' in draft.sql


@pytest.mark.parametrize("text", ["1); DROP TABLE t; SELECT (1", "a) FROM t WHERE (1", "", "a b c"])
def test_it_refuses_anything_but_one_expression(text: str) -> None:
    with pytest.raises(ValueError, match="invalid"):
        CreateIndex("public", "t", keys=(IndexKey(expression=text),))
    with pytest.raises(ValueError, match="invalid predicate"):
        CreateIndex("public", "t", keys=("a",), where=text)


def test_it_keeps_generated_names_within_63_bytes_and_distinct() -> None:
    long = "x" * 60
    a = CreateIndex("public", long, keys=("first_column_with_a_long_name",)).index_name
    b = CreateIndex("public", long, keys=("first_column_with_a_long_name_too",)).index_name
    assert len(a.encode()) <= 63 and len(b.encode()) <= 63 and a != b
    with pytest.raises(ValueError, match="longer than 63"):
        CreateIndex("public", "t", keys=("a",), name="n" * 64)


def test_it_only_accepts_autovacuum_parameters_with_sane_values() -> None:
    with pytest.raises(ValueError, match="not a per-table autovacuum parameter"):
        SetAutovacuum("public", "t", settings={"fillfactor; DROP TABLE t": 1})
    with pytest.raises(ValueError, match="bad value"):
        SetAutovacuum("public", "t", settings={"autovacuum_vacuum_scale_factor": "0.1); DROP TABLE t; --"})
    ok = SetAutovacuum("public", "t", settings={"autovacuum_enabled": "off"})
    assert "SET (autovacuum_enabled = false)" in generate_draft(ok).sql
