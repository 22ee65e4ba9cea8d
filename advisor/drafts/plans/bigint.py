"""integer → bigint as a staged plan: no table rewrite under ACCESS EXCLUSIVE, a rollback per stage.

``ALTER COLUMN … TYPE bigint`` rewrites the table and every index on it while holding ACCESS
EXCLUSIVE — hours of downtime on the tables that need it most. The staged plan instead:

1. adds a nullable bigint column (metadata only);
2. keeps it in sync with a trigger on INSERT/UPDATE;
3. backfills old rows in batches, one transaction per batch, then checks nothing was missed;
4. builds its indexes concurrently (and a unique index on the old column, so the swap can be undone)
   and proves NOT NULL with a CHECK … NOT VALID + VALIDATE;
5. swaps in one short transaction under lock_timeout: primary key, sequence or identity, NOT NULL,
   names, referencing foreign keys (re-added NOT VALID, validated right after);
6. (follow-up, after a soak period, irreversible) drops the old column.
"""

from __future__ import annotations

from typing import Any

from pglast import ast, parse_sql
from pglast.stream import RawStream
from pglast.visitors import Visitor

from advisor.drafts.changes import BigintMigration
from advisor.drafts.plan import DraftOptions, Plan, Step
from advisor.drafts.plans.common import assert_index_valid_sql, do_block, drop_index_sql, invalid_index_help
from advisor.drafts.plans.constraints import validate_step
from pgsql.ident import choose_name, dollar_quote, qualified, quote_ident, quote_literal, regclass_literal

INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class _RenameColumn(Visitor):
    """Point every reference to one column at another (index keys, expressions, predicates)."""

    def __init__(self, old: str, new: str) -> None:
        super().__init__()
        self.old, self.new = old, new

    def visit_IndexElem(self, ancestors: Any, node: ast.IndexElem) -> None:
        if node.name == self.old:
            node.name = self.new

    def visit_ColumnRef(self, ancestors: Any, node: ast.ColumnRef) -> None:
        fields = node.fields or ()
        if len(fields) == 1 and isinstance(fields[0], ast.String) and fields[0].sval == self.old:
            node.fields = (ast.String(sval=self.new),)


def rebuilt_index(definition: str, schema: str, old: str, new: str) -> tuple[str, str, str]:
    """(original name, new name, CREATE INDEX CONCURRENTLY IF NOT EXISTS on the new column)."""
    stmts = parse_sql(definition)
    if len(stmts) != 1 or not isinstance(stmts[0].stmt, ast.IndexStmt):
        raise ValueError(f"not an index definition: {definition!r}")
    stmt = stmts[0].stmt
    original = str(stmt.idxname or "")
    if not original or stmt.relation is None:
        raise ValueError(f"index definition without a name or table: {definition!r}")
    _RenameColumn(old, new)(stmt)
    renamed = choose_name(original, [], "bigint")
    stmt.idxname = renamed
    stmt.concurrent = stmt.if_not_exists = True
    if not stmt.relation.schemaname:
        stmt.relation.schemaname = schema
    return original, renamed, str(RawStream()(stmt))


class _Names:
    """Every quoted name the plan uses, computed once."""

    def __init__(self, c: BigintMigration) -> None:
        self.table = qualified(c.schema, c.table)
        self.table_literal = regclass_literal(c.schema, c.table)
        self.col, self.new, self.old = (quote_ident(n) for n in (c.column, c.new_column, c.old_column))
        self.key = quote_ident(c.batch_key)
        self.sync_fn = qualified(c.schema, choose_name(c.table, [c.column], "to_bigint"))
        self.back_fn = qualified(c.schema, choose_name(c.table, [c.column], "to_int"))
        self.sync_trg = quote_ident(choose_name(c.table, [c.column], "to_bigint"))
        self.back_trg = quote_ident(choose_name(c.table, [c.column], "to_int"))
        self.check_name = choose_name(c.table, [c.new_column], "nn_check")
        self.check = quote_ident(self.check_name)
        self.new_key_name = choose_name(c.table, [c.new_column], "key")
        self.old_key_name = choose_name(c.table, [c.old_column], "key")
        self.seq = qualified(c.sequence_schema or c.schema, c.sequence) if c.sequence else None


def _sync_function(fn: str, target: str, source: str, *, clamp: bool) -> str:
    # The reverse copy must never fail an insert once values pass 2^31-1: it stores NULL instead,
    # which only means the swap can no longer be rolled back (the rollback says so).
    value = (f"CASE WHEN NEW.{source} BETWEEN {INT_MIN} AND {INT_MAX} THEN NEW.{source} END"
             if clamp else f"NEW.{source}")
    body = f"\nBEGIN\n    NEW.{target} := {value};\n    RETURN NEW;\nEND\n"
    return f"CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS {dollar_quote(body)}"


def _trigger(trg: str, table: str, column: str, fn: str) -> str:
    return (f"CREATE OR REPLACE TRIGGER {trg} BEFORE INSERT OR UPDATE OF {column} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {fn}()")


def _backfill(c: BigintMigration, n: _Names) -> str:
    return do_block(
        f"\nDECLARE\n    lo bigint;\n    hi bigint;\n    batch CONSTANT bigint := {c.batch_size};\n"
        f"BEGIN\n    SELECT min({n.key}), max({n.key}) INTO lo, hi FROM {n.table};\n"
        f"    WHILE lo <= hi LOOP\n"
        f"        UPDATE {n.table} SET {n.new} = {n.col}\n"
        f"         WHERE {n.key} >= lo AND {n.key} < lo + batch AND {n.new} IS DISTINCT FROM {n.col};\n"
        f"        COMMIT;  -- one transaction per batch: short row locks, WAL and vacuum keep up\n"
        f"        lo := lo + batch;\n    END LOOP;\nEND\n"
    )


def _check_backfill(n: _Names) -> str:
    return do_block(
        f"\nBEGIN\n    IF EXISTS (SELECT 1 FROM {n.table} WHERE {n.new} IS DISTINCT FROM {n.col}) THEN\n"
        f"        RAISE EXCEPTION 'backfill incomplete: rows where the bigint copy differs remain; "
        f"run the backfill step again';\n    END IF;\nEND\n"
    )


def _sequence_moves(c: BigintMigration, n: _Names, *, to_col: str, from_col: str, to_raw: str,
                    from_raw: str, seq_type: str, plpgsql: bool = False) -> list[str]:
    """Statements moving the sequence or identity from one column to the other (inside the swap)."""
    if n.seq:
        return [
            f"ALTER TABLE {n.table} ALTER COLUMN {from_col} DROP DEFAULT",
            f"ALTER TABLE {n.table} ALTER COLUMN {to_col} SET DEFAULT nextval({quote_literal(n.seq)}::regclass)",
            f"ALTER SEQUENCE {n.seq} OWNED BY {n.table}.{to_col}",
            f"ALTER SEQUENCE {n.seq} AS {seq_type}",
        ]
    if c.identity:
        kind = "ALWAYS" if c.identity == "a" else "BY DEFAULT"
        # pg_get_serial_sequence parses its first argument as SQL (quoted name) and takes the column
        # name literally, case preserved.
        new_seq = f"pg_get_serial_sequence({n.table_literal}, {quote_literal(to_raw)})"
        old_seq = f"pg_get_serial_sequence({n.table_literal}, {quote_literal(from_raw)})"
        return [
            f"ALTER TABLE {n.table} ALTER COLUMN {to_col} ADD GENERATED {kind} AS IDENTITY",
            f"{'PERFORM' if plpgsql else 'SELECT'} setval({new_seq}, nextval({old_seq}::regclass))",
            f"ALTER TABLE {n.table} ALTER COLUMN {from_col} DROP IDENTITY",
        ]
    return []


def plan_bigint(c: BigintMigration, options: DraftOptions | None = None) -> Plan:
    """The staged integer → bigint plan for ``c`` (see the module docstring for the stages)."""
    if c.referencing_foreign_keys and not c.primary_key:
        raise ValueError("referencing foreign keys are only moved along with a primary key")
    options = options or DraftOptions()
    n = _Names(c)
    rebuilt = [rebuilt_index(d, c.schema, c.column, c.new_column) for d in c.other_indexes]
    steps: list[Step] = [
        Step(title=f"stage 1: add {c.new_column} bigint (nullable, no default: metadata only)",
             forward=(f"ALTER TABLE {n.table} ADD COLUMN IF NOT EXISTS {n.new} bigint",),
             rollback=("-- dbconsole: allow drop-column (the helper column this plan added; no code uses it)\n"
                       f"ALTER TABLE {n.table} DROP COLUMN IF EXISTS {n.new}",), stage=1),
        Step(title="stage 2: keep it in sync on every insert and update",
             forward=(_sync_function(n.sync_fn, n.new, n.col, clamp=False),
                      _trigger(n.sync_trg, n.table, n.col, n.sync_fn)),
             rollback=(f"DROP TRIGGER IF EXISTS {n.sync_trg} ON {n.table}",
                       f"DROP FUNCTION IF EXISTS {n.sync_fn}()"),
             notes=("CREATE TRIGGER takes SHARE ROW EXCLUSIVE briefly (blocks writes while waiting).",),
             stage=2),
        Step(title=f"stage 3: backfill in batches of {c.batch_size} by {c.batch_key}, one transaction each",
             forward=(_backfill(c, n), _check_backfill(n)), mode="concurrent", stage=3,
             notes=("Safe to stop and re-run: it only touches rows whose copy differs.",
                    "Run it off-peak on a busy table; replicas and WAL volume grow with it."),
             rollback_notes=("Nothing to undo: the stage 1 rollback drops the column.",)),
    ]
    index_stmts: list[str] = []
    index_rollback: list[str] = []
    # A primary key needs a unique index on the new column; the one on the old column is the way back.
    keys = [(n.new_key_name, c.new_column), (n.old_key_name, c.column)] if c.primary_key else []
    for name, column in keys:
        index_stmts += [f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {quote_ident(name)} ON {n.table} "
                        f"USING btree ({quote_ident(column)})", assert_index_valid_sql(c.schema, name)]
        index_rollback.append(drop_index_sql(c.schema, name))
    for _original, name, sql in rebuilt:
        index_stmts += [sql, assert_index_valid_sql(c.schema, name)]
        index_rollback.append(drop_index_sql(c.schema, name))
    if index_stmts:
        steps.append(Step(
            title="stage 4: build the new column's indexes concurrently"
                  + (" (and a unique index on the old one, so the swap can be undone)" if c.primary_key else ""),
            forward=tuple(index_stmts), rollback=tuple(index_rollback), mode="concurrent", stage=4,
            notes=("SHARE UPDATE EXCLUSIVE: reads and writes continue.",),
            on_failure=invalid_index_help(c.schema, n.new_key_name if c.primary_key else rebuilt[0][1])))
    if c.not_null:
        steps.append(Step(
            title=f"stage 4: prove {c.new_column} is NOT NULL without a scan under ACCESS EXCLUSIVE",
            forward=(f"ALTER TABLE {n.table} ADD CONSTRAINT {n.check} CHECK ({n.new} IS NOT NULL) NOT VALID",),
            rollback=(f"ALTER TABLE {n.table} DROP CONSTRAINT IF EXISTS {n.check}",), stage=4,
            notes=("A validated CHECK (col IS NOT NULL) lets SET NOT NULL skip its full-table scan (PG 12+).",)))
        steps.append(validate_step(c.schema, c.table, n.check_name, stage=4))
    steps.append(Step(title="stage 5: swap the columns in one short transaction",
                      forward=tuple(_swap(c, n, rebuilt)), rollback=(_unswap(c, n, options),), stage=5,
                      notes=("Everything here is a catalog change: no scan, no rewrite. lock_timeout bounds",
                             "the wait for ACCESS EXCLUSIVE; if it times out, nothing happened: run it again."),
                      rollback_notes=("The rollback of the swap runs only if the swap happened. It takes ACCESS",
                                      "EXCLUSIVE and scans the table once (SET NOT NULL on the old column); it",
                                      "fails, changing nothing, once values beyond 2^31-1 exist.")))
    for fk in c.referencing_foreign_keys:
        steps.append(validate_step(fk.schema, fk.table, fk.name, stage=5))
    return Plan(title=f"Migrate {c.schema}.{c.table}.{c.column} to bigint", steps=tuple(steps),
                followup=(_cleanup(c, n, rebuilt),),
                guidance=("Run stage by stage; each stage can be re-run, and rolled back on its own, "
                          "newest first.", "Deploy nothing that writes the new column name directly "
                          "until the cleanup: the application keeps using the original column name."))


def _swap(c: BigintMigration, n: _Names, rebuilt: list[tuple[str, str, str]]) -> list[str]:
    out = [f"LOCK TABLE {n.table} IN ACCESS EXCLUSIVE MODE"]
    out += [f"ALTER TABLE {qualified(fk.schema, fk.table)} DROP CONSTRAINT {quote_ident(fk.name)}"
            for fk in c.referencing_foreign_keys]
    if c.primary_key:
        out.append(f"ALTER TABLE {n.table} DROP CONSTRAINT {quote_ident(c.primary_key)}")
    if c.not_null:
        out += [f"ALTER TABLE {n.table} ALTER COLUMN {n.new} SET NOT NULL",
                f"ALTER TABLE {n.table} DROP CONSTRAINT IF EXISTS {n.check}"]
    out += _sequence_moves(c, n, to_col=n.new, from_col=n.col, to_raw=c.new_column, from_raw=c.column,
                           seq_type="bigint")
    if c.not_null:
        out.append(f"ALTER TABLE {n.table} ALTER COLUMN {n.col} DROP NOT NULL")
    out += [f"DROP TRIGGER {n.sync_trg} ON {n.table}",
            f"ALTER TABLE {n.table} RENAME COLUMN {n.col} TO {n.old}",
            f"ALTER TABLE {n.table} RENAME COLUMN {n.new} TO {n.col}"]
    if c.primary_key:
        out.append(f"ALTER TABLE {n.table} ADD CONSTRAINT {quote_ident(c.primary_key)} "
                   f"PRIMARY KEY USING INDEX {quote_ident(n.new_key_name)}")
    out += [f"ALTER TABLE {qualified(fk.schema, fk.table)} ADD CONSTRAINT {quote_ident(fk.name)} "
            f"{fk.definition} NOT VALID" for fk in c.referencing_foreign_keys]
    out += [_sync_function(n.back_fn, n.old, n.col, clamp=True), _trigger(n.back_trg, n.table, n.col, n.back_fn)]
    return out


def _unswap(c: BigintMigration, n: _Names, options: DraftOptions) -> str:
    """One DO block undoing the swap if (and only if) it happened; a no-op otherwise."""
    body = [f"PERFORM set_config('lock_timeout', {quote_literal(options.lock_timeout)}, true);",
            f"LOCK TABLE {n.table} IN ACCESS EXCLUSIVE MODE;",
            f"DROP TRIGGER IF EXISTS {n.back_trg} ON {n.table};",
            f"DROP FUNCTION IF EXISTS {n.back_fn}();"]
    body += [f"ALTER TABLE {qualified(fk.schema, fk.table)} DROP CONSTRAINT {quote_ident(fk.name)};"
             for fk in c.referencing_foreign_keys]
    if c.primary_key:
        body.append(f"ALTER TABLE {n.table} DROP CONSTRAINT {quote_ident(c.primary_key)};")
    if c.not_null:
        body.append(f"ALTER TABLE {n.table} ALTER COLUMN {n.old} SET NOT NULL;")
    body += [s + ";" for s in _sequence_moves(c, n, to_col=n.old, from_col=n.col, to_raw=c.old_column,
                                               from_raw=c.column, seq_type="integer", plpgsql=True)]
    body += [f"ALTER TABLE {n.table} RENAME COLUMN {n.col} TO {n.new};",
             f"ALTER TABLE {n.table} RENAME COLUMN {n.old} TO {n.col};"]
    if c.primary_key:
        body.append(f"ALTER TABLE {n.table} ADD CONSTRAINT {quote_ident(c.primary_key)} "
                    f"PRIMARY KEY USING INDEX {quote_ident(n.old_key_name)};")
    body += [f"ALTER TABLE {qualified(fk.schema, fk.table)} ADD CONSTRAINT {quote_ident(fk.name)} "
             f"{fk.definition};" for fk in c.referencing_foreign_keys]
    body.append(_trigger(n.sync_trg, n.table, n.col, n.sync_fn) + ";")
    indented = "\n".join("    " + line for line in body)
    return do_block(
        "\nBEGIN\n"
        f"    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = to_regclass({n.table_literal})\n"
        f"                   AND attname = {quote_literal(c.old_column)} AND NOT attisdropped) THEN\n"
        f"        RETURN;  -- the swap never ran\n    END IF;\n{indented}\nEND\n"
    )


def _cleanup(c: BigintMigration, n: _Names, rebuilt: list[tuple[str, str, str]]) -> Step:
    forward = [f"DROP TRIGGER IF EXISTS {n.back_trg} ON {n.table}",
               f"DROP FUNCTION IF EXISTS {n.back_fn}()",
               f"DROP FUNCTION IF EXISTS {n.sync_fn}()",
               f"-- dbconsole: allow drop-column (the old integer copy, unused since the swap)\n"
               f"ALTER TABLE {n.table} DROP COLUMN IF EXISTS {n.old}"]
    forward += [f"ALTER INDEX IF EXISTS {qualified(c.schema, new)} RENAME TO {quote_ident(original)}"
                for original, new, _sql in rebuilt]
    return Step(title="stage 6 (later, after a soak period): drop the old integer column",
                forward=tuple(forward), stage=6,
                notes=("Run this only once the application has run on the bigint column for a while.",
                       "Dropping a column is a catalog change (no rewrite); its indexes go with it."),
                rollback_notes=("Irreversible: the old column and its values are gone.",))
