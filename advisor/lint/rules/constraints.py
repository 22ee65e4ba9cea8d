"""Constraint rules: add NOT VALID then VALIDATE; unique and primary keys from an existing index."""

from __future__ import annotations

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType

from advisor.lint.locking import relname
from advisor.lint.rules.base import CRITICAL, WARNING, Context, Hit
from advisor.lint.state import table_key


def _added_constraints(node: object) -> list[ast.Constraint]:
    if not isinstance(node, ast.AlterTableStmt):
        return []
    out = []
    for cmd in node.cmds or ():
        if cmd.subtype == AT.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
            out.append(cmd.def_)
        elif cmd.subtype == AT.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
            out += [c for c in cmd.def_.constraints or () if isinstance(c, ast.Constraint)
                    and c.contype == ConstrType.CONSTR_CHECK]
    return out


def constraint_without_not_valid(ctx: Context) -> list[Hit]:
    """FOREIGN KEY / CHECK added with validation: a full scan while holding the lock."""
    node = ctx.node
    if not isinstance(node, ast.AlterTableStmt) or ctx.state.is_new(node.relation):
        return []
    hits = []
    for con in _added_constraints(node):
        if con.skip_validation:
            continue
        if con.contype == ConstrType.CONSTR_FOREIGN:
            hits.append(Hit("foreign-key-without-not-valid", CRITICAL,
                            f"Adding foreign key {con.conname or ''} validates every row while holding SHARE "
                            f"ROW EXCLUSIVE on {relname(node.relation)} and {relname(con.pktable)}: writes to "
                            "both tables wait for the scan.",
                            "ADD CONSTRAINT … FOREIGN KEY … NOT VALID; then, in a separate transaction, "
                            "ALTER TABLE … VALIDATE CONSTRAINT … (SHARE UPDATE EXCLUSIVE)."))
        elif con.contype == ConstrType.CONSTR_CHECK:
            hits.append(Hit("check-without-not-valid", CRITICAL,
                            f"Adding CHECK {con.conname or ''} scans the whole table under ACCESS EXCLUSIVE: "
                            "reads and writes wait.",
                            "ADD CONSTRAINT … CHECK (…) NOT VALID; then VALIDATE CONSTRAINT in a separate "
                            "transaction."))
    return hits


def validate_in_same_transaction(ctx: Context) -> list[Hit]:
    """VALIDATE right after ADD … NOT VALID in one transaction keeps the strong lock through the scan."""
    node = ctx.node
    if not isinstance(node, ast.AlterTableStmt) or not ctx.state.transactional:
        return []
    hits = []
    for cmd in node.cmds or ():
        key = (table_key(node.relation), str(cmd.name))
        if cmd.subtype == AT.AT_ValidateConstraint and key in ctx.state.added_not_valid_here:
            hits.append(Hit("validate-in-same-transaction", WARNING,
                            f"Constraint {cmd.name} is validated in the transaction that added it: the lock "
                            "from ADD CONSTRAINT is held for the whole validation scan.",
                            "COMMIT after ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT on its own."))
    return hits


def set_not_null(ctx: Context) -> list[Hit]:
    """SET NOT NULL scans the table under ACCESS EXCLUSIVE unless a validated CHECK proves it."""
    node = ctx.node
    if not isinstance(node, ast.AlterTableStmt) or ctx.state.is_new(node.relation):
        return []
    hits = []
    for cmd in node.cmds or ():
        if cmd.subtype != AT.AT_SetNotNull:
            continue
        if (table_key(node.relation), str(cmd.name)) in ctx.state.proven_not_null:
            continue
        hits.append(Hit("set-not-null", CRITICAL,
                        f"SET NOT NULL on {cmd.name} scans the whole table under ACCESS EXCLUSIVE: reads and "
                        "writes wait for the scan.",
                        f"ADD CONSTRAINT … CHECK ({cmd.name} IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT …; "
                        "then SET NOT NULL (PostgreSQL 12+ skips the scan) and drop the CHECK."))
    return hits


def unique_without_index(ctx: Context) -> list[Hit]:
    """ADD PRIMARY KEY / UNIQUE that builds its index under ACCESS EXCLUSIVE."""
    node = ctx.node
    if not isinstance(node, ast.AlterTableStmt) or ctx.state.is_new(node.relation):
        return []
    hits = []
    for con in _added_constraints(node):
        if con.contype not in (ConstrType.CONSTR_PRIMARY, ConstrType.CONSTR_UNIQUE) or con.indexname:
            continue
        kind = "PRIMARY KEY" if con.contype == ConstrType.CONSTR_PRIMARY else "UNIQUE"
        hits.append(Hit("add-unique-without-index" if kind == "UNIQUE" else "add-primary-key-without-index",
                        CRITICAL,
                        f"ADD {kind} builds its index while holding ACCESS EXCLUSIVE: reads and writes wait "
                        "for the whole build.",
                        f"CREATE UNIQUE INDEX CONCURRENTLY …; then ADD CONSTRAINT … {kind} USING INDEX … "
                        "(a brief lock, no build)."))
    return hits


RULES = [constraint_without_not_valid, validate_in_same_transaction, set_not_null, unique_without_index]
