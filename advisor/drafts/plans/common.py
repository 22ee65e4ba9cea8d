"""SQL pieces several planners share: index definitions and the "did the build leave an INVALID index?" guard."""

from __future__ import annotations

from advisor.drafts.changes import CreateIndex, IndexKey
from pgsql.ident import dollar_quote, qualified, quote_ident, quote_literal, regclass_literal


def do_block(body: str) -> str:
    """``DO $tag$ body $tag$`` with a dollar-quote tag that no name inside ``body`` can close."""
    return f"DO {dollar_quote(body)}"


def key_sql(key: IndexKey) -> str:
    """One index key: ``"col"`` or ``(expr)``, then opclass and direction."""
    text = quote_ident(key.column) if key.column is not None else f"({key.expression})"
    if key.opclass:
        text += f" {key.opclass}"
    if key.descending:
        text += " DESC"
    return text


def create_index_sql(index: CreateIndex) -> str:
    """``CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS`` for ``index``."""
    parts = [
        "CREATE UNIQUE INDEX" if index.unique else "CREATE INDEX",
        "CONCURRENTLY IF NOT EXISTS",
        quote_ident(index.index_name),
        "ON", qualified(index.schema, index.table),
        "USING", index.method,
        "(" + ", ".join(key_sql(k) for k in index.index_keys) + ")",
    ]
    if index.include:
        parts.append("INCLUDE (" + ", ".join(quote_ident(c) for c in index.include) + ")")
    if index.where:
        parts.append(f"WHERE {index.where}")
    return " ".join(parts)


def drop_index_sql(schema: str, name: str) -> str:
    """``DROP INDEX CONCURRENTLY IF EXISTS`` — SHARE UPDATE EXCLUSIVE, reads and writes go on."""
    return f"DROP INDEX CONCURRENTLY IF EXISTS {qualified(schema, name)}"


def assert_index_valid_sql(schema: str, name: str) -> str:
    """A DO block that stops the script when the index exists but is INVALID.

    ``IF NOT EXISTS`` silently skips a build when an INVALID leftover of an earlier failed attempt has
    the same name; without this check the script would "succeed" and leave a useless index behind.
    """
    target = qualified(schema, name)
    literal = regclass_literal(schema, name)
    message = (f"index {target} is INVALID (an earlier build failed): run "
               f"DROP INDEX CONCURRENTLY IF EXISTS {target}; then run this step again")
    # The message is RAISE's parameter, not its format: a % in a name is then just a character.
    return do_block(
        "\nBEGIN\n"
        f"    IF EXISTS (SELECT 1 FROM pg_catalog.pg_index WHERE indexrelid = to_regclass({literal}) "
        f"AND NOT indisvalid) THEN\n"
        f"        RAISE EXCEPTION '%', {quote_literal(message)};\n"
        f"    END IF;\nEND\n"
    )


def invalid_index_help(schema: str, name: str) -> tuple[str, ...]:
    """What to do when a concurrent build fails: find the INVALID leftover, drop it, retry."""
    return (
        "If the build fails (lock timeout, deadlock, cancel, or duplicate values for a UNIQUE index),",
        "PostgreSQL keeps an INVALID index that is not used by queries but still slows every write.",
        "Find it:",
        f"  SELECT indexrelid::regclass, indisvalid FROM pg_catalog.pg_index "
        f"WHERE indexrelid = to_regclass({regclass_literal(schema, name)});",
        "Drop it without blocking writes, then run the step again:",
        f"  {drop_index_sql(schema, name)};",
        "Progress of a running build: SELECT * FROM pg_stat_progress_create_index;",
    )
