"""Which table-level locks a statement takes, from its parse tree.

The lock levels are PostgreSQL's, as documented for each command (CREATE INDEX, ALTER TABLE, …):
ALTER TABLE takes ACCESS EXCLUSIVE "unless explicitly noted", and the noted exceptions are listed here.
A statement with several ALTER TABLE subcommands takes the strongest lock any of them needs.
"""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import AlterTableType as AT
from pglast.enums import ConstrType, ObjectType
from pglast.visitors import referenced_relations

from advisor.lint.locks import LockMode
from advisor.lint.report import LockTaken

M = LockMode

# Storage parameters whose SET/RESET takes only SHARE UPDATE EXCLUSIVE (ALTER TABLE docs).
_LIGHT_RELOPTIONS = {"fillfactor", "parallel_workers", "seq_page_cost", "random_page_cost",
                     "effective_io_concurrency", "n_distinct", "n_distinct_inherited",
                     "vacuum_index_cleanup", "vacuum_truncate", "toast_tuple_target"}

_SUE_SUBCOMMANDS = {AT.AT_SetStatistics, AT.AT_SetOptions, AT.AT_ResetOptions, AT.AT_ClusterOn,
                    AT.AT_DropCluster, AT.AT_ValidateConstraint, AT.AT_AttachPartition}
_SRE_SUBCOMMANDS = {AT.AT_EnableTrig, AT.AT_EnableAlwaysTrig, AT.AT_EnableReplicaTrig, AT.AT_EnableTrigAll,
                    AT.AT_EnableTrigUser, AT.AT_DisableTrig, AT.AT_DisableTrigAll, AT.AT_DisableTrigUser}


def relname(rv: ast.RangeVar | None) -> str:
    """``schema.name`` (or ``name``) of a RangeVar, as written."""
    if rv is None:
        return "?"
    return f"{rv.schemaname}.{rv.relname}" if rv.schemaname else str(rv.relname)


def _names(objects: Any) -> list[str]:
    out = []
    for obj in objects or ():
        parts = [str(p.sval) for p in obj if isinstance(p, ast.String)] if isinstance(obj, tuple) else [str(obj)]
        out.append(".".join(parts))
    return out


def _subcommand_lock(cmd: ast.AlterTableCmd) -> tuple[LockMode, str | None]:
    """(lock on the altered table, referenced table for a foreign key or None)."""
    sub = cmd.subtype
    if sub == AT.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
        if cmd.def_.contype == ConstrType.CONSTR_FOREIGN:
            return M.SHARE_ROW_EXCLUSIVE, relname(cmd.def_.pktable)
        return M.ACCESS_EXCLUSIVE, None
    if sub in (AT.AT_SetRelOptions, AT.AT_ResetRelOptions):
        keys = {str(getattr(d, "defname", d)) for d in cmd.def_ or ()}
        light = all(k in _LIGHT_RELOPTIONS or "autovacuum" in k or k.startswith("toast.") for k in keys)
        return (M.SHARE_UPDATE_EXCLUSIVE if light else M.ACCESS_EXCLUSIVE), None
    if sub in _SUE_SUBCOMMANDS:
        return M.SHARE_UPDATE_EXCLUSIVE, None
    if sub == AT.AT_DetachPartition and isinstance(cmd.def_, ast.PartitionCmd) and cmd.def_.concurrent:
        return M.SHARE_UPDATE_EXCLUSIVE, None
    if sub in _SRE_SUBCOMMANDS:
        return M.SHARE_ROW_EXCLUSIVE, None
    return M.ACCESS_EXCLUSIVE, None


def _alter_table(node: ast.AlterTableStmt) -> list[LockTaken]:
    table = relname(node.relation)
    if node.objtype == ObjectType.OBJECT_INDEX:
        return [LockTaken(table, M.ACCESS_EXCLUSIVE, "ALTER INDEX (other than RENAME)")]
    modes, referenced = [], []
    for cmd in node.cmds or ():
        mode, ref = _subcommand_lock(cmd)
        modes.append(mode)
        if ref:
            referenced.append(ref)
    strongest = max(modes, key=_strength) if modes else M.ACCESS_EXCLUSIVE
    locks = [LockTaken(table, strongest)]
    locks += [LockTaken(ref, M.SHARE_ROW_EXCLUSIVE, "referenced by the new foreign key") for ref in referenced]
    return locks


def _strength(mode: LockMode) -> int:
    # SHARE ROW EXCLUSIVE conflicts with everything SHARE UPDATE EXCLUSIVE does and more; the enum
    # order already reflects "conflicts with a superset" for the modes ALTER TABLE uses.
    return int(mode)


def _reindex(node: ast.ReindexStmt) -> list[LockTaken]:
    target = relname(node.relation) if node.relation is not None else str(node.name)
    if any(str(p.defname) == "concurrently" for p in node.params or ()):
        return [LockTaken(target, M.SHARE_UPDATE_EXCLUSIVE, "REINDEX CONCURRENTLY")]
    return [LockTaken(target, M.SHARE, "the table: writes wait for the rebuild"),
            LockTaken(target, M.ACCESS_EXCLUSIVE,
                      "the index being rebuilt: queries whose planning opens it wait too")]


def _drop(node: ast.DropStmt) -> list[LockTaken]:
    names = _names(node.objects)
    kind = node.removeType
    if kind == ObjectType.OBJECT_INDEX:
        if node.concurrent:
            return [LockTaken(n, M.SHARE_UPDATE_EXCLUSIVE, "DROP INDEX CONCURRENTLY") for n in names]
        return [LockTaken(n, M.ACCESS_EXCLUSIVE, "the index and its table") for n in names]
    if kind in (ObjectType.OBJECT_TRIGGER, ObjectType.OBJECT_POLICY, ObjectType.OBJECT_RULE):
        return [LockTaken(n.rsplit(".", 1)[0], M.ACCESS_EXCLUSIVE, "the table of the dropped object")
                for n in names]
    if kind in (ObjectType.OBJECT_TABLE, ObjectType.OBJECT_VIEW, ObjectType.OBJECT_MATVIEW,
                ObjectType.OBJECT_SEQUENCE, ObjectType.OBJECT_FOREIGN_TABLE):
        return [LockTaken(n, M.ACCESS_EXCLUSIVE) for n in names]
    return []


def _vacuum(node: ast.VacuumStmt) -> list[LockTaken]:
    rels = [relname(r.relation) for r in node.rels or ()] or ["(every table)"]
    full = any(str(o.defname) == "full" for o in node.options or ())
    mode = M.ACCESS_EXCLUSIVE if full and node.is_vacuumcmd else M.SHARE_UPDATE_EXCLUSIVE
    return [LockTaken(r, mode) for r in rels]


def _dml(target: ast.RangeVar | None, node: Any) -> list[LockTaken]:
    locks = [LockTaken(relname(target), M.ROW_EXCLUSIVE)]
    others = sorted(referenced_relations(node) - {relname(target), str(getattr(target, "relname", ""))})
    return locks + [LockTaken(r, M.ACCESS_SHARE) for r in others]


def locks_for(node: Any) -> list[LockTaken]:
    """The table-level locks ``node`` (a statement's parse tree) takes; empty when it takes none we model."""
    if isinstance(node, ast.IndexStmt):
        if node.concurrent:
            return [LockTaken(relname(node.relation), M.SHARE_UPDATE_EXCLUSIVE, "CREATE INDEX CONCURRENTLY")]
        return [LockTaken(relname(node.relation), M.SHARE, "CREATE INDEX")]
    if isinstance(node, ast.AlterTableStmt):
        if node.objtype == ObjectType.OBJECT_SEQUENCE:
            return [LockTaken(relname(node.relation), M.SHARE_ROW_EXCLUSIVE, "the sequence")]
        return _alter_table(node)
    if isinstance(node, ast.AlterSeqStmt):
        return [LockTaken(relname(node.sequence), M.SHARE_ROW_EXCLUSIVE, "the sequence: nextval() waits")]
    if isinstance(node, ast.RenameStmt):
        target = relname(node.relation) if node.relation is not None else "?"
        if node.renameType == ObjectType.OBJECT_INDEX:
            return [LockTaken(target, M.SHARE_UPDATE_EXCLUSIVE, "renaming an index (PostgreSQL 12+)")]
        return [LockTaken(target, M.ACCESS_EXCLUSIVE)] if node.relation is not None else []
    if isinstance(node, ast.DropStmt):
        return _drop(node)
    if isinstance(node, ast.ReindexStmt):
        return _reindex(node)
    if isinstance(node, ast.VacuumStmt):
        return _vacuum(node)
    if isinstance(node, ast.ClusterStmt):
        return [LockTaken(relname(node.relation) if node.relation else "(every clustered table)",
                          M.ACCESS_EXCLUSIVE)]
    if isinstance(node, ast.TruncateStmt):
        return [LockTaken(relname(r), M.ACCESS_EXCLUSIVE) for r in node.relations or ()]
    if isinstance(node, ast.LockStmt):
        return [LockTaken(relname(r), LockMode(node.mode or 8), "LOCK TABLE") for r in node.relations or ()]
    if isinstance(node, ast.CreateTrigStmt):
        return [LockTaken(relname(node.relation), M.SHARE_ROW_EXCLUSIVE, "CREATE TRIGGER")]
    if isinstance(node, ast.RefreshMatViewStmt):
        mode = M.EXCLUSIVE if node.concurrent else M.ACCESS_EXCLUSIVE
        return [LockTaken(relname(node.relation), mode)]
    if isinstance(node, ast.CreateStmt):
        refs = [relname(c.pktable) for c in _constraints_of_create(node) if c.contype == ConstrType.CONSTR_FOREIGN]
        return [LockTaken(r, M.SHARE_ROW_EXCLUSIVE, "referenced by the new table's foreign key") for r in refs]
    if isinstance(node, ast.InsertStmt | ast.UpdateStmt | ast.DeleteStmt | ast.MergeStmt):
        return _dml(node.relation, node)
    if isinstance(node, ast.SelectStmt):
        return [LockTaken(r, M.ACCESS_SHARE) for r in sorted(referenced_relations(node))]
    return []


def _constraints_of_create(node: ast.CreateStmt) -> list[ast.Constraint]:
    out: list[ast.Constraint] = []
    for elt in node.tableElts or ():
        if isinstance(elt, ast.Constraint):
            out.append(elt)
        elif isinstance(elt, ast.ColumnDef):
            out += [c for c in elt.constraints or () if isinstance(c, ast.Constraint)]
    return out
