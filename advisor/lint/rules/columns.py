"""Column rules: defaults that rewrite, type changes that rewrite, drops and renames that break apps."""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType, ObjectType

from advisor.lint.rules.base import CRITICAL, INFO, WARNING, Context, Hit
from advisor.lint.state import table_key

# Functions PostgreSQL marks VOLATILE that people use as defaults; a volatile default is evaluated per
# row, so ADD COLUMN must rewrite the table.
VOLATILE = {"random", "random_normal", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc",
            "uuid_generate_v4", "uuidv4", "uuidv7", "clock_timestamp", "timeofday", "nextval",
            "txid_current", "pg_current_xact_id"}
# STABLE or IMMUTABLE: evaluated once at ALTER time, stored in the catalog (PostgreSQL 11+).
NOT_VOLATILE = {"now", "transaction_timestamp", "statement_timestamp", "current_setting", "lower", "upper",
                "coalesce", "concat", "make_interval", "to_timestamp", "to_date", "jsonb_build_object",
                "json_build_object", "array_fill", "length", "md5"}
# The parser spells built-in types by their internal names.
TYPE_NAMES = {"int8": "bigint", "int4": "integer", "int2": "smallint", "float8": "double precision",
              "float4": "real", "bool": "boolean", "bpchar": "char", "timestamptz": "timestamptz"}
SERIAL_TYPES = {"serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"}


def _functions(expr: Any) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, ast.FuncCall):
            found.add(str((node.funcname or ("",))[-1].sval).lower())
        if isinstance(node, ast.Node):
            for name in node:
                walk(getattr(node, name))
        elif isinstance(node, tuple):
            for item in node:
                walk(item)

    walk(expr)
    return found


def _default_verdict(expr: Any) -> tuple[str, set[str]]:
    """('volatile'|'unknown'|'stable'|'constant', function names) for a DEFAULT expression."""
    funcs = _functions(expr)
    if funcs & VOLATILE:
        return "volatile", funcs & VOLATILE
    if funcs - NOT_VOLATILE:
        return "unknown", funcs - NOT_VOLATILE
    if funcs or _has_sql_value_function(expr):
        return "stable", funcs
    return "constant", set()


def _has_sql_value_function(expr: Any) -> bool:
    if isinstance(expr, ast.SQLValueFunction):
        return True
    if isinstance(expr, ast.Node):
        return any(_has_sql_value_function(getattr(expr, n)) for n in expr)
    if isinstance(expr, tuple):
        return any(_has_sql_value_function(i) for i in expr)
    return False


def _added_columns(node: Any) -> list[ast.ColumnDef]:
    if not isinstance(node, ast.AlterTableStmt):
        return []
    return [c.def_ for c in node.cmds or () if c.subtype == AT.AT_AddColumn and isinstance(c.def_, ast.ColumnDef)]


def add_column(ctx: Context) -> list[Hit]:
    """ADD COLUMN: volatile defaults, serial/identity/stored generated columns, NOT NULL without default."""
    if ctx.state.is_new(getattr(ctx.node, "relation", None)):
        return []
    hits = []
    for col in _added_columns(ctx.node):
        cons = [c for c in col.constraints or () if isinstance(c, ast.Constraint)]
        type_name = str(col.typeName.names[-1].sval) if col.typeName and col.typeName.names else ""
        default = next((c.raw_expr for c in cons if c.contype == ConstrType.CONSTR_DEFAULT), None)
        rewrite = None
        if type_name in SERIAL_TYPES:
            rewrite = f"a {type_name} column (its default is nextval(), volatile)"
        elif any(c.contype == ConstrType.CONSTR_IDENTITY for c in cons):
            rewrite = "an identity column (every existing row needs its own value)"
        elif any(c.contype == ConstrType.CONSTR_GENERATED for c in cons):
            rewrite = "a stored generated column (computed for every existing row)"
        if rewrite:
            hits.append(Hit("volatile-default", CRITICAL,
                            f"Adding {col.colname} as {rewrite} rewrites the whole table under ACCESS EXCLUSIVE.",
                            "Add the column without a default, fill it in batches, then set the default "
                            "for new rows."))
            continue
        if default is not None:
            verdict, funcs = _default_verdict(default)
            names = ", ".join(sorted(f + "()" for f in funcs))
            if verdict == "volatile":
                hits.append(Hit("volatile-default", CRITICAL,
                                f"DEFAULT {names} on the new column {col.colname} is volatile: PostgreSQL "
                                "rewrites the whole table under ACCESS EXCLUSIVE to give each row its value.",
                                "ADD COLUMN without DEFAULT; ALTER COLUMN … SET DEFAULT … (new rows only); "
                                "backfill existing rows in batches. Constant defaults are fine since PG 11."))
            elif verdict == "unknown":
                hits.append(Hit("volatile-default", WARNING,
                                f"DEFAULT {names} on {col.colname}: if the function is VOLATILE the table is "
                                "rewritten under ACCESS EXCLUSIVE; if STABLE/IMMUTABLE it is a catalog change.",
                                "Check pg_proc.provolatile; if volatile, add without a default and backfill."))
            elif verdict == "stable":
                hits.append(Hit("stable-default", INFO,
                                f"DEFAULT on {col.colname} is not volatile: no rewrite since PostgreSQL 11, but "
                                "it is evaluated once — every existing row gets the value of the ALTER's moment."))
            else:
                hits.append(Hit("constant-default", INFO,
                                f"Constant DEFAULT on {col.colname}: a catalog change since PostgreSQL 11, no "
                                "rewrite."))
        not_null = col.is_not_null or any(c.contype == ConstrType.CONSTR_NOTNULL for c in cons)
        if not_null and default is None:
            hits.append(Hit("add-column-not-null-without-default", WARNING,
                            f"Adding {col.colname} NOT NULL without a default fails on a table with rows.",
                            "Add it nullable (or with a constant DEFAULT), backfill, then prove NOT NULL "
                            "with CHECK … NOT VALID + VALIDATE before SET NOT NULL."))
    return hits


def _type_change_verdict(col: ast.ColumnDef) -> tuple[Any, str, str]:
    names = [str(n.sval) for n in col.typeName.names or ()] if col.typeName else []
    target = TYPE_NAMES.get(names[-1], names[-1]) if names else "?"
    typmods = col.typeName.typmods if col.typeName else None
    if col.raw_default is not None:
        return CRITICAL, f"{target} with USING", "USING computes every value anew: the table is rewritten."
    if target == "text" or (target == "varchar" and not typmods):
        return (WARNING, target, "No rewrite when the column is varchar or text (binary coercible); any "
                "other source type rewrites the table.")
    if target in {"varchar", "char", "numeric"}:
        return (WARNING, target, "No rewrite only when widening (varchar(n) to a larger n, or numeric to a "
                "larger precision with the same scale); shrinking or changing the scale rewrites or rechecks "
                "every row.")
    if target == "timestamptz":
        return (WARNING, target, "timestamp → timestamptz skips the rewrite only when the session TimeZone "
                "is UTC (PostgreSQL 12+); otherwise the table is rewritten.")
    return CRITICAL, target, "Changing to this type rewrites the table and rebuilds all its indexes."


def column_type_change(ctx: Context) -> list[Hit]:
    """ALTER COLUMN TYPE: a rewrite under ACCESS EXCLUSIVE unless the change is binary coercible."""
    node = ctx.node
    if not isinstance(node, ast.AlterTableStmt) or ctx.state.is_new(node.relation):
        return []
    hits = []
    for cmd in node.cmds or ():
        if cmd.subtype != AT.AT_AlterColumnType or not isinstance(cmd.def_, ast.ColumnDef):
            continue
        severity, target, why = _type_change_verdict(cmd.def_)
        alternative = ("For integer → bigint, use the staged plan (new column, trigger, batched backfill, "
                       "concurrent index, swap under lock_timeout)." if target == "bigint" else
                       "Add a new column, backfill in batches, swap names in a short transaction.")
        hits.append(Hit("column-type-change", severity,
                        f"ALTER COLUMN {cmd.name} TYPE {target}: {why} The rewrite holds ACCESS EXCLUSIVE: "
                        "reads and writes wait.", alternative))
    return hits


def drop_column(ctx: Context) -> list[Hit]:
    """DROP COLUMN is quick, but running application code that still names the column breaks."""
    node = ctx.node
    if not isinstance(node, ast.AlterTableStmt) or ctx.state.is_new(node.relation):
        return []
    return [Hit("drop-column", WARNING,
                f"Dropping column {cmd.name}: application code still selecting or inserting it fails "
                "(and ORMs that list columns break); the data is gone, so it cannot be rolled back.",
                "First deploy code that no longer uses the column (Django: SeparateDatabaseAndState / "
                "remove the field in state only), then drop it in a later migration.")
            for cmd in node.cmds or () if cmd.subtype == AT.AT_DropColumn]


def rename_column(ctx: Context) -> list[Hit]:
    """RENAME COLUMN breaks running code — unless the old name is immediately taken by another column."""
    node = ctx.node
    if not isinstance(node, ast.RenameStmt) or node.renameType != ObjectType.OBJECT_COLUMN:
        return []
    table = table_key(node.relation)
    swaps = ctx.state.column_renames
    if (table, str(node.subname)) in {(t, new) for t, _old, new in swaps} or \
            (table, str(node.newname)) in {(t, old) for t, old, _new in swaps}:
        return [Hit("rename-column", INFO,
                    f"Renaming {node.subname} → {node.newname} is half of a column swap in this script: the "
                    "name the application uses keeps existing.")]
    return [Hit("rename-column", WARNING,
                f"Renaming column {node.subname} → {node.newname} breaks application code still using the old "
                "name between this migration and the next deploy.",
                "Add the new column (or a view / generated column), move the code over, then drop the old one.")]


RULES = [add_column, column_type_change, drop_column, rename_column]
