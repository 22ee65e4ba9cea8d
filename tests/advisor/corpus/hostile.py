"""A corpus of hostile names, planted in a real target as someone who may create tables would.

Every name is used at once as a schema, a table, a column, a constraint and (with a short tag) an
index, a sequence and two more tables, so it reaches every kind of draft: indexes built, dropped and
rebuilt, a constraint validated, a foreign key and a unique constraint added, autovacuum settings,
a VACUUM, a sequence widened and the staged bigint plan. Payloads, if they ever ran, leave traces:
tables named ``pwned_…`` in the catalog, files named ``PWNED_…`` in the working directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from advisor.drafts import (
    AddForeignKey,
    AddUniqueConstraint,
    BigintMigration,
    Change,
    CreateIndex,
    DropIndex,
    IndexKey,
    ReduceTableBloat,
    ReindexIndex,
    SetAutovacuum,
    ValidateConstraint,
    WidenSequence,
)
from pgsql.ident import MAX_IDENTIFIER_BYTES, quote_ident

Conn = psycopg.Connection[Any]

HOSTILE_NAMES: tuple[str, ...] = (
    "nl\nSELECT 'injected-from-table-name'; --",          # the table that once put a SELECT into a draft
    "z\"\"\"+str(__import__('os').getpid())+\"\"\"",      # ... and the one that closed a docstring
    "p\"\"\"+open('PWNED_DQ','w').name+\"\"\"",
    "s'''+open('PWNED_SQ','w').name+'''",
    "e\"+open('PWNED_D','w').name+\"",
    "c*/ CREATE TABLE pwned_block (); /*",
    "d-- x\nCREATE TABLE pwned_line (); --",
    "m\n\\! touch PWNED_PSQL\n\\o PWNED_OUT\n",            # psql meta-commands on lines of their own
    "$dbconsole$; CREATE TABLE pwned_dollar (); --",
    "q'\"`\u00b4\u2018\u2019\u201c\u201d ; DROP TABLE victim; --",  # quotes of every kind
    "b\\ back\\slash \\n \\x41 \\N \\' \\\"",           # backslashes (and no NUL: PostgreSQL has none)
    "pct %s %d %% %(x)s :name ::int $1 ?",                  # placeholders of every driver and tool
    "cr\rcrlf\r\nff\x0cvt\x0bnel\x85ls\u2028ps\u2029",     # line breaks of every kind
    "bidi \u202eevil\u202c é ∑ 中文 🐘 \u200b",              # unicode, a bidi override, a zero-width space
    "x" * MAX_IDENTIFIER_BYTES,                            # the longest name there is
    "é" * 31 + "x",                                        # 63 bytes of two-byte characters
    "SELECT",
    "select * from pg_roles",
    "import os; os.system('touch PWNED_OS')",
    "{0.__class__} {name!r} ${x} `id` $(id)",
    "; COMMIT; DROP SCHEMA public CASCADE; BEGIN;",
)


def variant(name: str, tag: str) -> str:
    """``name`` + ``tag`` within 63 bytes (cut at a character boundary)."""
    room = MAX_IDENTIFIER_BYTES - len(tag.encode())
    return name.encode()[:room].decode(errors="ignore") + tag


@dataclass(frozen=True)
class Planted:
    """Where one hostile name was planted, and the names PostgreSQL chose around it."""

    name: str
    child: str
    wide: str
    drop_index: str
    reindex_index: str
    sequence: str
    wide_pkey: str
    wide_sequence: str


def plant(conn: Conn, name: str) -> Planted:
    p = {"name": name, "child": variant(name, "#c"), "wide": variant(name, "#b"), "drop_index": variant(name, "#i"),
         "reindex_index": variant(name, "#r"), "sequence": variant(name, "#s")}
    i = {k: sql.Identifier(v) for k, v in p.items()}
    schema = i["name"]

    def q(template: str, **extra: Any) -> None:
        conn.execute(sql.SQL(template).format(s=schema, **i, **extra))

    q("CREATE SCHEMA {s}")
    q("CREATE TABLE {s}.{name} (id integer PRIMARY KEY, {name} integer NOT NULL, note text)")
    q("INSERT INTO {s}.{name} SELECT g, g % 97, 'note ' || g FROM generate_series(1, 400) g")
    q("CREATE INDEX {drop_index} ON {s}.{name} (note)")
    q("CREATE INDEX {reindex_index} ON {s}.{name} ({name})")
    q("ALTER TABLE {s}.{name} ADD CONSTRAINT {name} CHECK ({name} >= 0) NOT VALID")
    q("CREATE SEQUENCE {s}.{sequence} AS integer")
    q("CREATE TABLE {s}.{child} (id integer PRIMARY KEY, {name} integer)")
    q("INSERT INTO {s}.{child} SELECT g, 1 + g % 400 FROM generate_series(1, 300) g")
    q("CREATE TABLE {s}.{wide} ({name} serial PRIMARY KEY, v text)")
    q("INSERT INTO {s}.{wide} (v) SELECT 'v' || g FROM generate_series(1, 120) g")
    q("ANALYZE {s}.{name}")
    table = f"{quote_ident(name)}.{quote_ident(p['wide'])}"
    pkey = conn.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
                        (table,)).fetchone()
    sequence = conn.execute("SELECT pg_get_serial_sequence(%s, %s)::regclass::text", (table, name)).fetchone()
    seq_name = conn.execute("SELECT relname FROM pg_class WHERE oid = %s::regclass", (sequence[0],)).fetchone() \
        if sequence else None
    assert pkey and seq_name
    return Planted(**p, wide_pkey=str(pkey[0]), wide_sequence=str(seq_name[0]))


def changes(conn: Conn, p: Planted) -> list[Change]:
    """Every kind of change on the planted objects, in the order a draft would take them."""
    name = p.name
    definition = conn.execute("SELECT pg_get_indexdef(to_regclass(%s))",
                              (f"{quote_ident(name)}.{quote_ident(p.drop_index)}",)).fetchone()
    assert definition and definition[0]
    return [
        CreateIndex(name, name, keys=(name, IndexKey(column="note", descending=True)),
                    where=f"{quote_ident(name)} > 0", reason=f"missing index for {name}"),
        CreateIndex(name, name, keys=(IndexKey(expression=f"({quote_ident(name)} + 1)"),)),
        ValidateConstraint(name, name, name=name),
        AddForeignKey(name, p.child, columns=(name,), ref_schema=name, ref_table=name, ref_columns=("id",)),
        AddUniqueConstraint(name, name, columns=("id", name)),
        SetAutovacuum(name, name, settings={"autovacuum_vacuum_scale_factor": 0.02}),
        ReduceTableBloat(name, name, bloat_bytes=1000, table_bytes=4000),
        ReindexIndex(name, name, name=p.reindex_index),
        DropIndex(name, name, name=p.drop_index, definition=str(definition[0]), reason="duplicate",
                  covered_by=name),
        WidenSequence(name, p.sequence),
        BigintMigration(name, p.wide, column=name, primary_key=p.wide_pkey, sequence=p.wide_sequence,
                        batch_size=50),
    ]


# Every object a user could create or touch, by identity (names only).
IDENTITIES = """
WITH ns AS (SELECT oid, nspname FROM pg_namespace
             WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%')
SELECT 'schema', nspname, '', '' FROM ns
UNION ALL SELECT 'relation', ns.nspname, c.relkind::text, c.relname FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
UNION ALL SELECT 'column', ns.nspname, c.relname, a.attname
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
 WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
UNION ALL SELECT 'constraint', ns.nspname, c.relname, k.conname
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN ns ON ns.oid = c.relnamespace WHERE k.contype <> 'n'
UNION ALL SELECT 'trigger', ns.nspname, c.relname, t.tgname
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN ns ON ns.oid = c.relnamespace WHERE NOT t.tgisinternal
UNION ALL SELECT 'function', ns.nspname, '', p.proname FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
UNION ALL SELECT 'role', '', '', rolname FROM pg_roles
"""

# Their definitions too, for "the rollback put everything back" — but whether a constraint is validated:
# VALIDATE cannot be undone (the constraint is the same, only now known to hold).
DEFINITIONS = """
WITH ns AS (SELECT oid, nspname FROM pg_namespace
             WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_%')
SELECT 'column', c.oid::regclass::text || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || ' notnull=' || a.attnotnull::text || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
UNION ALL SELECT 'index', pg_get_indexdef(i.indexrelid) || ' valid=' || i.indisvalid::text
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ns ON ns.oid = c.relnamespace
UNION ALL SELECT 'constraint', k.conrelid::regclass::text || ' ' || k.conname || ' '
       || replace(pg_get_constraintdef(k.oid), ' NOT VALID', '')
  FROM pg_constraint k JOIN ns ON ns.oid = k.connamespace WHERE k.contype <> 'n'
UNION ALL SELECT 'reloptions', c.oid::regclass::text || ' ' || coalesce(array_to_string(c.reloptions, ','), '')
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace WHERE c.relkind = 'r'
UNION ALL SELECT 'sequence', s.seqrelid::regclass::text || ' ' || format_type(s.seqtypid, NULL) || ' max='
       || s.seqmax FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN ns ON ns.oid = c.relnamespace
UNION ALL SELECT 'trigger', pg_get_triggerdef(t.oid)
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN ns ON ns.oid = c.relnamespace WHERE NOT t.tgisinternal
UNION ALL SELECT 'function', p.oid::regprocedure::text FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
UNION ALL SELECT 'role', rolname FROM pg_roles
ORDER BY 1, 2
"""


def identities(conn: Conn) -> set[tuple[str, str, str, str]]:
    return {(str(a), str(b), str(c), str(d)) for a, b, c, d in conn.execute(IDENTITIES)}


def definitions(conn: Conn) -> list[tuple[str, str]]:
    return [(str(a), str(b)) for a, b in conn.execute(DEFINITIONS)]


def rows(conn: Conn, p: Planted) -> tuple[Any, ...]:
    """A digest of every row of the planted tables."""
    digests = []
    for table in (p.name, p.child, p.wide):
        ident = sql.Identifier(p.name, table)
        row = conn.execute(sql.SQL("SELECT count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) FROM {} t")
                           .format(ident)).fetchone()
        digests.append(tuple(row or ()))
    return tuple(digests)
