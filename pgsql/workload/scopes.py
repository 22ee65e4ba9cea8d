"""Walk a parsed SELECT with its name scopes and classify every predicate into access patterns.

A scope is one query level's FROM list; column references resolve in the innermost scope first and
then outwards (correlated subqueries), exactly as the server does. ``Extractor.column_types`` maps the
text position of every resolved column reference to its catalog column: the rewriter that makes
normalized statements plannable uses it to type ``$n`` placeholders.
"""

from __future__ import annotations

import copy
from typing import Any

from pglast import ast
from pglast.enums import A_Expr_Kind, BoolExprType, NullTestType, SetOperation, SubLinkType
from pglast.stream import RawStream

from pgsql.workload.catalog import Catalog, Column
from pgsql.workload.names import (
    FromItem,
    Resolved,
    Scope,
    UnresolvedRelation,
    flatten,
    lookup,
    loose,
    output_names,
)
from pgsql.workload.nodes import children, walk
from pgsql.workload.patterns import ArmSink, ExpressionPredicate, PredicateSink, ScanPattern
from pgsql.workload.typical import PatternParam, RangeBound

__all__ = ["Extractor", "UnresolvedRelation"]

_COMPARISONS = {"=", "<", ">", "<=", ">="}


class Extractor:
    """Extracts :class:`ScanPattern` objects from SELECT statements (one Extractor per statement)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.scans: list[ScanPattern] = []
        self.column_types: dict[int, Column] = {}
        self.bounds: list[RangeBound] = []  # both ends of every range, for typical values
        self.limit_params: set[int] = set()
        self.patterns: list[PatternParam] = []  # col LIKE $n, for a typical prefix
        self._top = PredicateSink()

    # -- query levels ----------------------------------------------------------------------------

    def select(self, node: Any, outer: Scope | None, ctes: dict[str, set[str] | None]) -> Scope:
        scope = Scope(parent=outer)
        if not isinstance(node, ast.SelectStmt):
            self.expr(node, scope, ctes)
            return scope
        ctes = dict(ctes)
        if node.withClause is not None:
            for cte in node.withClause.ctes or ():
                if node.withClause.recursive:
                    ctes[cte.ctename] = None
                self.select(cte.ctequery, outer, ctes)
                names = [n.sval for n in cte.aliascolnames or ()]
                ctes[cte.ctename] = set(names) if names else output_names(cte.ctequery)
        if node.op and node.op != SetOperation.SETOP_NONE:
            self.select(node.larg, outer, ctes)
            self.select(node.rarg, outer, ctes)
            return scope
        for item in node.fromClause or ():
            self.from_item(item, scope, ctes)
        for row in node.valuesLists or ():
            self.expr(row, scope, ctes)
        self.where(node.whereClause, scope, ctes, self._top)
        for target in node.targetList or ():
            self.target(target, scope, ctes)
        self.expr(node.havingClause, scope, ctes)
        self.expr(node.windowClause, scope, ctes)
        self.expr(node.distinctClause, scope, ctes)
        self.group_by(node, scope, ctes)
        self.order_by(node, scope, ctes)
        if isinstance(node.limitCount, ast.ParamRef):
            self.limit_params.add(node.limitCount.number or 0)
        if node.limitCount is not None:
            for item in scope.items:
                if item.scan is not None:
                    item.scan.limited = True
        return scope

    def from_item(self, item: Any, scope: Scope, ctes: dict[str, set[str] | None]) -> None:
        if isinstance(item, ast.RangeVar):
            item = loose(item)
            alias = item.alias.aliasname if item.alias else item.relname
            if item.schemaname is None and item.relname in ctes:
                scope.items.append(FromItem(alias=alias, scan=None, columns=ctes[item.relname]))
                return
            table = self.catalog.resolve(item.schemaname, item.relname)
            if table is None:
                name = f"{item.schemaname}.{item.relname}" if item.schemaname else item.relname
                raise UnresolvedRelation(f"relation {name} is not in the target's catalog")
            scan = ScanPattern(table=table, alias=alias)
            self.scans.append(scan)
            renames: dict[str, str] = {}
            if item.alias and item.alias.colnames:
                real = list(table.columns)
                renames = {n.sval: real[i] for i, n in enumerate(item.alias.colnames) if i < len(real)}
            visible = set(table.columns) - set(renames.values()) | set(renames)
            scope.items.append(FromItem(alias=alias, scan=scan, columns=visible, renames=renames))
        elif isinstance(item, ast.RangeSubselect):
            item = loose(item)
            inner_outer = scope if item.lateral else scope.parent
            self.select(item.subquery, inner_outer, ctes)
            names = [n.sval for n in item.alias.colnames or ()] if item.alias else []
            alias = item.alias.aliasname if item.alias else ""
            scope.items.append(FromItem(alias=alias, scan=None,
                                     columns=set(names) if names else output_names(item.subquery)))
        elif isinstance(item, ast.JoinExpr):
            self.from_item(item.larg, scope, ctes)
            self.from_item(item.rarg, scope, ctes)
            self.where(item.quals, scope, ctes, self._top)
            for name in item.usingClause or ():
                refs = [Resolved(it, it.renames.get(name.sval, name.sval)) for it in scope.items
                        if it.scan is not None and it.columns is not None and name.sval in it.columns]
                for ref in refs:
                    self._touch(ref)
                    if len(refs) > 1 and ref.scan is not None:
                        self._top.join(ref.scan, ref.column)
        elif isinstance(item, ast.RangeFunction):
            item = loose(item)
            self.expr(item.functions, scope, ctes)
            names = [n.sval for n in item.alias.colnames or ()] if item.alias else []
            alias = item.alias.aliasname if item.alias else ""
            scope.items.append(FromItem(alias=alias, scan=None, columns=set(names) if names else None))
        elif isinstance(item, ast.RangeTableSample):
            self.from_item(item.relation, scope, ctes)
        else:
            self.expr(item, scope, ctes)

    # -- predicates ------------------------------------------------------------------------------

    def where(self, node: Any, scope: Scope, ctes: dict[str, set[str] | None],
              sink: PredicateSink) -> None:
        for conjunct in flatten(node, BoolExprType.AND_EXPR):
            self.conjunct(conjunct, scope, ctes, sink)

    def conjunct(self, node: Any, scope: Scope, ctes: dict[str, set[str] | None],
                 sink: PredicateSink) -> None:
        if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.OR_EXPR:
            self.disjunction(node, scope, ctes, sink)
            return
        if isinstance(node, ast.SubLink):
            self.sublink(node, scope, ctes, sink)
            return
        if isinstance(node, ast.A_Expr):
            self.comparison(node, scope, sink)
        elif isinstance(node, ast.NullTest):
            ref = self.column(node.arg, scope)
            if ref is not None and ref.scan is not None:
                sink.null_test(ref.scan, ref.column, node.nulltesttype == NullTestType.IS_NULL)
        elif isinstance(node, ast.ColumnRef) or (
            isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.NOT_EXPR
            and isinstance(loose(node).args[0], ast.ColumnRef)
        ):
            # WHERE active / WHERE NOT deleted: equality on a boolean column.
            ref = self.column(node if isinstance(node, ast.ColumnRef) else loose(node).args[0], scope)
            if ref is not None and ref.scan is not None:
                sink.equality(ref.scan, ref.column)
        self.expr(node, scope, ctes)

    def disjunction(self, node: Any, scope: Scope, ctes: dict[str, set[str] | None],
                    sink: PredicateSink) -> None:
        """(A AND B) OR (A AND C): the planner pulls A out of the OR, and so do we."""
        arms = [flatten(arm, BoolExprType.AND_EXPR) for arm in flatten(node, BoolExprType.OR_EXPR)]
        keys = [[_text(c) for c in arm] for arm in arms]
        common = set(keys[0]).intersection(*map(set, keys[1:]))
        for conj, key in zip(arms[0], keys[0], strict=True):
            if key in common:
                self.conjunct(conj, scope, ctes, sink)
        for arm, arm_keys in zip(arms, keys, strict=True):
            arm_sink = ArmSink()
            for conj, key in zip(arm, arm_keys, strict=True):
                if key not in common:
                    self.conjunct(conj, scope, ctes, arm_sink)
            arm_sink.flush()

    def comparison(self, node: Any, scope: Scope, sink: PredicateSink) -> None:
        op = node.name[-1].sval if node.name else ""
        kind = node.kind
        left: Resolved | None = self.column(node.lexpr, scope)
        if kind == A_Expr_Kind.AEXPR_OP and op in _COMPARISONS:
            right = self.column(node.rexpr, scope)
            if left is not None and right is not None:
                if op == "=" and left.scan is not right.scan:
                    for key in (left, right):
                        if key.scan is not None:
                            sink.join(key.scan, key.column)
                return
            for ref, other in ((left, node.rexpr), (right, node.lexpr)):
                if ref is None or ref.scan is None or self._mentions(other, ref.scan, scope):
                    continue
                if self._refs(other, scope):
                    if op == "=":
                        sink.join(ref.scan, ref.column)  # t.a = u.b + 1: still a join key for t.a
                elif op == "=":
                    sink.equality(ref.scan, ref.column)
                else:
                    sink.range(ref.scan, ref.column)
                    upper = (op in ("<", "<=")) == (ref is left)
                    self._bound(sink, ref.scan, ref.column, "upper" if upper else "lower", other)
                return
            if isinstance(node.lexpr, ast.RowExpr) and op != "=" and not self._refs(node.rexpr, scope):
                # Keyset pagination: (created_at, id) < ($1, $2) bounds the first column, and a btree
                # on (created_at, id) takes the whole row comparison as its condition.
                first = self.column(loose(node.lexpr).args[0], scope) if loose(node.lexpr).args else None
                if first is not None and first.scan is not None:
                    sink.range(first.scan, first.column)
                return
            for side, other in ((node.lexpr, node.rexpr), (node.rexpr, node.lexpr)):
                self._expression_predicate(side, other, scope, sink, "equality" if op == "=" else "range")
        elif left is None or left.scan is None or self._mentions(node.rexpr, left.scan, scope):
            return
        elif (kind == A_Expr_Kind.AEXPR_IN and op == "=") or (kind == A_Expr_Kind.AEXPR_OP_ANY and op == "="):
            sink.in_list(left.scan, left.column)
        elif kind in (A_Expr_Kind.AEXPR_BETWEEN, A_Expr_Kind.AEXPR_BETWEEN_SYM):
            sink.range(left.scan, left.column)
            if isinstance(node.rexpr, tuple | list) and len(node.rexpr) == 2:
                self._bound(sink, left.scan, left.column, "lower", node.rexpr[0])
                self._bound(sink, left.scan, left.column, "upper", node.rexpr[1])
        elif (kind == A_Expr_Kind.AEXPR_LIKE and op == "~~") or (kind == A_Expr_Kind.AEXPR_ILIKE and op == "~~*"):
            sink.like(left.scan, left.column)
            if isinstance(node.rexpr, ast.ParamRef) and left.column in left.scan.table.columns:
                self.patterns.append(PatternParam(table=left.scan.table, column=left.column,
                                                  number=node.rexpr.number or 0, insensitive=op == "~~*"))

    def _bound(self, sink: PredicateSink, scan: ScanPattern, column: str, side: str, expr: Any) -> None:
        if column in scan.table.columns and any(isinstance(n, ast.ParamRef) for n in walk(expr)):
            self.bounds.append(RangeBound(group=(id(sink), id(scan), column), table=scan.table,
                                          column=column, side=side, expr=expr))

    def _expression_predicate(self, side: Any, other: Any, scope: Scope, sink: PredicateSink,
                              kind: str) -> None:
        refs = self._refs(side, scope)
        scans = {id(r.scan) for r in refs}
        if not refs or len(scans) != 1 or refs[0].scan is None or self._refs(other, scope):
            return
        if not isinstance(side, ast.FuncCall | ast.A_Expr | ast.TypeCast):
            return
        if any(isinstance(n, ast.ParamRef | ast.SubLink) for n in walk(side)):
            return  # substring(c, $1, $2): the index would need the values pg_stat_statements dropped
        unqualified = copy.deepcopy(side)
        for node in walk(unqualified):
            if isinstance(node, ast.ColumnRef):
                node.fields = (loose(node).fields[-1],)
        columns = tuple(dict.fromkeys(r.column for r in refs))
        sink.expression(refs[0].scan, ExpressionPredicate(sql=_text(unqualified), columns=columns, kind=kind))

    def sublink(self, node: Any, scope: Scope, ctes: dict[str, set[str] | None],
                sink: PredicateSink) -> None:
        inner = self.select(node.subselect, scope, ctes)
        self.expr(node.testexpr, scope, ctes)
        if node.subLinkType != SubLinkType.ANY_SUBLINK or not isinstance(node.subselect, ast.SelectStmt):
            return
        if node.operName and node.operName[-1].sval != "=":
            return
        outer_ref = self.column(node.testexpr, scope)
        targets = node.subselect.targetList or ()
        inner_ref = self.column(targets[0].val, inner) if len(targets) == 1 else None
        # x IN (SELECT y ...) is a semi-join: both x and y are join keys.
        for ref in (outer_ref, inner_ref):
            if ref is not None and ref.scan is not None and outer_ref is not None and inner_ref is not None:
                sink.join(ref.scan, ref.column)

    # -- select list, grouping, ordering ---------------------------------------------------------

    def target(self, target: Any, scope: Scope, ctes: dict[str, set[str] | None]) -> None:
        val = loose(target.val)
        fields = loose(val).fields if isinstance(val, ast.ColumnRef) else None
        if fields and isinstance(fields[-1], ast.A_Star):
            qualifier = fields[0].sval if len(fields) > 1 else None
            for item in scope.items:
                if item.scan is not None and (qualifier is None or item.alias == qualifier):
                    item.scan.all_columns = True
            return
        self.expr(val, scope, ctes)

    def _keys(self, node: Any, exprs: list[Any], scope: Scope) -> list[Resolved] | None:
        """Resolve GROUP BY / ORDER BY keys to plain columns of one scan, or None."""
        refs: list[Resolved] = []
        targets = node.targetList or ()
        for expr in map(loose, exprs):
            if isinstance(expr, ast.A_Const) and isinstance(expr.val, ast.Integer):
                index = int(loose(expr).val.ival) - 1
                expr = targets[index].val if 0 <= index < len(targets) else None
            ref = self.column(expr, scope)
            fields = loose(expr).fields if isinstance(expr, ast.ColumnRef) else None
            if ref is None and fields and len(fields) == 1:
                named = [t.val for t in targets if t.name == getattr(fields[0], "sval", None)]
                ref = self.column(named[0], scope) if named else None
            if ref is None or ref.scan is None:
                return None
            refs.append(ref)
        if not refs or len({id(r.scan) for r in refs}) != 1:
            return None
        return refs

    def group_by(self, node: Any, scope: Scope, ctes: dict[str, set[str] | None]) -> None:
        keys = list(node.groupClause or ())
        self.expr(tuple(k for k in keys if not isinstance(k, ast.A_Const)), scope, ctes)
        refs = self._keys(node, keys, scope)
        if refs and refs[0].scan is not None:
            refs[0].scan.group_by = list(dict.fromkeys(r.column for r in refs))

    def order_by(self, node: Any, scope: Scope, ctes: dict[str, set[str] | None]) -> None:
        sorts = list(node.sortClause or ())
        for sort in sorts:
            if isinstance(sort.node, ast.ColumnRef) and self.column(sort.node, scope) is None:
                continue  # an output alias (ORDER BY revenue), not a column
            self.expr(sort.node, scope, ctes)
        refs = self._keys(node, [s.node for s in sorts], scope)
        if refs and refs[0].scan is not None:
            refs[0].scan.order_by = [(r.column, s.sortby_dir == 2) for r, s in zip(refs, sorts, strict=True)]

    # -- columns ---------------------------------------------------------------------------------

    def expr(self, node: object, scope: Scope, ctes: dict[str, set[str] | None]) -> None:
        """Record every column the expression reads; analyse its subqueries (once each)."""
        if node is None:
            return
        if isinstance(node, ast.SubLink):
            self.sublink(node, scope, ctes, PredicateSink())
            return
        if isinstance(node, ast.SelectStmt):
            self.select(node, scope, ctes)
            return
        if isinstance(node, ast.ColumnRef):
            self.column(node, scope)
            return
        for child in children(node):
            self.expr(child, scope, ctes)

    def column(self, node: Any, scope: Scope) -> Resolved | None:
        """Resolve a plain column reference (and record it as read); None for anything else."""
        if not isinstance(node, ast.ColumnRef):
            return None
        fields = loose(node).fields or ()
        if not all(isinstance(f, ast.String) for f in fields):
            return None
        names = [f.sval for f in fields]
        ref = lookup(names, scope)
        if ref is not None:
            self._touch(ref)
            if ref.scan is not None and ref.column in ref.scan.table.columns:
                self.column_types[node.location or 0] = ref.scan.table.columns[ref.column]
        return ref

    def _touch(self, ref: Resolved) -> None:
        if ref.scan is not None and ref.column not in ref.scan.referenced:
            ref.scan.referenced.append(ref.column)

    def _refs(self, node: object, scope: Scope) -> list[Resolved]:
        """Column references inside an expression, not looking into subqueries."""
        out: list[Resolved] = []
        if isinstance(node, ast.SubLink):
            return out
        if isinstance(node, ast.ColumnRef):
            ref = self.column(node, scope)
            return [ref] if ref is not None else []
        for child in children(node):
            out.extend(self._refs(child, scope))
        return out

    def _mentions(self, node: object, scan: ScanPattern, scope: Scope) -> bool:
        return any(ref.scan is scan for ref in self._refs(node, scope))


def _text(node: Any) -> str:
    return str(RawStream()(node))
