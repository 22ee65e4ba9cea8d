"""Index definitions compared key by key with PostgreSQL's own parser."""

from __future__ import annotations

from pgsql.indexdefs import parse_index

PLAIN = "CREATE INDEX a ON public.t USING btree (email)"


def test_it_tells_an_operator_class_from_the_plain_key() -> None:
    plain, pattern = parse_index(PLAIN), parse_index("CREATE INDEX b ON public.t USING btree (email text_pattern_ops)")
    assert plain is not None and pattern is not None
    assert plain.keys != pattern.keys


def test_it_finds_a_btree_prefix_only_with_the_same_predicate_and_method() -> None:
    short = parse_index(PLAIN)
    wide = parse_index("CREATE INDEX c ON public.t USING btree (email, created_at)")
    partial = parse_index("CREATE INDEX d ON public.t USING btree (email, created_at) WHERE (deleted_at IS NULL)")
    hashed = parse_index("CREATE INDEX e ON public.t USING hash (email)")
    assert short is not None and wide is not None and partial is not None and hashed is not None
    assert short.is_prefix_of(wide)
    assert not wide.is_prefix_of(short)
    assert not short.is_prefix_of(partial)
    assert not hashed.is_prefix_of(wide)


def test_it_returns_none_rather_than_guess() -> None:
    assert parse_index("CREATE INDEX broken ON") is None
    assert parse_index("SELECT 1") is None
    assert parse_index(f"{PLAIN}; {PLAIN}") is None
