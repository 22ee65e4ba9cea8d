"""Identifier quoting: drafts quote every name; readable text quotes a name only when PostgreSQL needs it."""

from __future__ import annotations

import pytest

from pgsql.ident import quote_ident, quote_ident_if_needed


def test_it_always_quotes_for_drafts_and_doubles_inner_quotes() -> None:
    assert quote_ident("orders") == '"orders"'
    assert quote_ident('Order "Items"') == '"Order ""Items"""'


@pytest.mark.parametrize("name", ["", "a\x00b"])
def test_it_refuses_names_no_identifier_can_hold(name: str) -> None:
    with pytest.raises(ValueError, match="identifier"):
        quote_ident(name)


@pytest.mark.parametrize(("name", "expected"), [
    ("orders", "orders"),
    ("_tmp$1", "_tmp$1"),
    ("Orders", '"Orders"'),          # upper case would fold to lower case unquoted
    ("order items", '"order items"'),
    ("1st", '"1st"'),
    ("select", '"select"'),          # reserved
    ("int", '"int"'),                # column-name keyword
    ("left", '"left"'),              # type or function name keyword
    ("naïve", '"naïve"'),
    ('a"b', '"a""b"'),
])
def test_it_quotes_only_what_postgresql_would(name: str, expected: str) -> None:
    assert quote_ident_if_needed(name) == expected
