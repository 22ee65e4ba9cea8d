"""What the lint remembers while it walks a script: transaction, timeouts, and earlier statements.

Several rules depend on what came before: a ``SET lock_timeout`` earlier makes a later ALTER safe, a
table created in the same script is empty (building its index plainly is fine), a validated
``CHECK (col IS NOT NULL)`` lets ``SET NOT NULL`` skip its scan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType, NullTestType, TransactionStmtKind, VariableSetKind

from advisor.lint.locking import relname

_BEGIN = {TransactionStmtKind.TRANS_STMT_BEGIN, TransactionStmtKind.TRANS_STMT_START}
_END = {TransactionStmtKind.TRANS_STMT_COMMIT, TransactionStmtKind.TRANS_STMT_ROLLBACK,
        TransactionStmtKind.TRANS_STMT_PREPARE}


def table_key(rv: ast.RangeVar | None) -> str:
    """How the lint matches tables across statements: the bare name (schemas are often implicit)."""
    return str(rv.relname) if rv is not None else "?"


def _setting_value(node: ast.VariableSetStmt) -> str | None:
    if node.kind != VariableSetKind.VAR_SET_VALUE or not node.args:
        return None
    val = node.args[0].val if isinstance(node.args[0], ast.A_Const) else None
    if isinstance(val, ast.Integer):
        return str(val.ival)
    if isinstance(val, ast.String):
        return str(val.sval)
    if isinstance(val, ast.Float):
        return str(val.fval)
    return None


def is_not_null_check(expr: Any) -> str | None:
    """The column of a ``col IS NOT NULL`` expression, else None."""
    if not isinstance(expr, ast.NullTest) or expr.nulltesttype != NullTestType.IS_NOT_NULL:
        return None
    if isinstance(expr.arg, ast.ColumnRef):
        fields = expr.arg.fields or ()
        if fields and isinstance(fields[-1], ast.String):
            return str(fields[-1].sval)
    return None


@dataclass
class ScriptState:
    """The lint's memory of the script so far."""

    assume_transaction: bool = False
    in_transaction: bool = False
    lock_timeout: bool = False
    statement_timeout: bool = False
    local_lock_timeout: bool | None = None
    local_statement_timeout: bool | None = None
    created: set[str] = field(default_factory=set)
    not_null_checks: dict[tuple[str, str], str] = field(default_factory=dict)  # (table, constraint) -> column
    proven_not_null: set[tuple[str, str]] = field(default_factory=set)  # (table, column)
    added_not_valid_here: set[tuple[str, str]] = field(default_factory=set)  # in the current transaction
    renamed_away: set[tuple[str, str]] = field(default_factory=set)  # (table, old column name)
    # Every column rename in the whole script (filled before linting): recognises column swaps.
    column_renames: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def transactional(self) -> bool:
        """Is the current statement inside a transaction block (explicit, or the framework's)?"""
        return self.in_transaction or self.assume_transaction

    @property
    def has_lock_timeout(self) -> bool:
        return self.local_lock_timeout if self.local_lock_timeout is not None else self.lock_timeout

    @property
    def has_statement_timeout(self) -> bool:
        if self.local_statement_timeout is not None:
            return self.local_statement_timeout
        return self.statement_timeout

    def is_new(self, rv: ast.RangeVar | None) -> bool:
        """Was this table created earlier in the same script (so it is empty and unknown to others)?"""
        return table_key(rv) in self.created

    def after(self, node: Any) -> None:
        """Update the state with a statement that has just been linted."""
        if isinstance(node, ast.TransactionStmt):
            if node.kind in _BEGIN:
                self.in_transaction = True
            elif node.kind in _END:
                self.in_transaction = False
                self.local_lock_timeout = self.local_statement_timeout = None
                self.added_not_valid_here.clear()
        elif isinstance(node, ast.VariableSetStmt):
            self._set(node)
        elif isinstance(node, ast.CreateStmt | ast.CreateTableAsStmt):
            rel = node.relation if isinstance(node, ast.CreateStmt) else (node.into.rel if node.into else None)
            self.created.add(table_key(rel))
        elif isinstance(node, ast.AlterTableStmt):
            self._alter(node)
        elif isinstance(node, ast.RenameStmt) and node.subname:
            self.renamed_away.add((table_key(node.relation), str(node.subname)))

    def _set(self, node: ast.VariableSetStmt) -> None:
        name = str(node.name or "")
        if name not in {"lock_timeout", "statement_timeout"}:
            return
        value = _setting_value(node)
        active = value is not None and value.strip().strip("'") not in {"0", "0ms", "0s", "0min"}
        if node.kind == VariableSetKind.VAR_RESET or node.kind == VariableSetKind.VAR_SET_DEFAULT:
            active = False
        attr = "lock_timeout" if name == "lock_timeout" else "statement_timeout"
        if node.is_local:
            if self.in_transaction:  # SET LOCAL outside a transaction block has no effect
                setattr(self, f"local_{attr}", active)
        elif self.in_transaction:
            setattr(self, f"local_{attr}", active)
            setattr(self, attr, active)
        else:
            setattr(self, attr, active)

    def _alter(self, node: ast.AlterTableStmt) -> None:
        table = table_key(node.relation)
        for cmd in node.cmds or ():
            if cmd.subtype == AT.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
                con = cmd.def_
                column = is_not_null_check(con.raw_expr) if con.contype == ConstrType.CONSTR_CHECK else None
                if con.skip_validation:
                    self.added_not_valid_here.add((table, str(con.conname)))
                    if column:
                        self.not_null_checks[(table, str(con.conname))] = column
                elif column:
                    self.proven_not_null.add((table, column))
            elif cmd.subtype == AT.AT_ValidateConstraint:
                column = self.not_null_checks.get((table, str(cmd.name)))
                if column:
                    self.proven_not_null.add((table, column))


__all__ = ["ScriptState", "is_not_null_check", "relname", "table_key"]
