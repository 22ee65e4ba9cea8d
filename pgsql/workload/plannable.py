"""Turn a normalized statement (``$n`` placeholders) back into SQL the server can plan generically.

pg_stat_statements replaces every constant by ``$n``, and the result is often not valid SQL any more,
or valid but untypable:

* ``date $1``, ``interval $2 month``, ``timestamp with time zone $3`` — a type name before a
  placeholder is not SQL (only before a string literal). pglast's parser accepts it (it was taught to
  read normalized text); we print it back as ``CAST($1 AS date)``. ``interval $2 day (3)``, the SQL
  standard's leading-field precision that PostgreSQL never had, loses its ``(3)`` first.
* ``extract($1 from d)`` — the field became a placeholder; ``pg_catalog.extract($1::text, d)`` is the
  function the server calls for it (``date_part`` before PostgreSQL 14).
* ``$4 - $5``, ``CASE … THEN $3 ELSE $4 END`` inside ``sum()``, a bare ``$1`` in the select list —
  nothing gives the server a type. We infer one from the context, the way the server would have typed
  the original constants: the column on the other side of the comparison (from the catalog), the
  aggregate it feeds (numeric), or text for a bare output value.

Placeholders the server can type itself (``col = $1``) are left alone: a cast of our own could pick a
different operator than the application's statement did and hide an index from the planner.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from pglast import ast
from pglast.enums import A_Expr_Kind, CoercionForm
from pglast.parser import scan
from pglast.stream import RawStream

from pgsql.workload.catalog import Column
from pgsql.workload.nodes import params, slots, walk
from pgsql.workload.typical import TYPICAL_LIMIT, Substitution

_ARITHMETIC = {"+", "-", "*", "/", "%", "^"}
_NUMERIC_AGGREGATES = {"sum", "avg", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop",
                       "var_samp"}
# Functions whose arguments after the first are positions or counts: integers, never text.
_INTEGER_ARGUMENTS = {"substring", "substr", "left", "right", "lpad", "rpad", "repeat", "overlay",
                      "split_part"}
_INTERVAL_FIELDS = {"YEAR_P", "MONTH_P", "DAY_P", "HOUR_P", "MINUTE_P"}
_TIMESTAMPS = ("timestamp", "timestamptz", "time", "timetz", "interval")
_TEMPORAL = ("date", *_TIMESTAMPS)
# current_date, current_time(n), current_timestamp(n), localtime(n), localtimestamp(n) (SQLValueFunctionOp).
_SQL_VALUE_TYPES = {0: "pg_catalog.date", 1: "pg_catalog.timetz", 2: "pg_catalog.timetz", 3: "pg_catalog.timestamptz",
                    4: "pg_catalog.timestamptz", 5: "pg_catalog.time", 6: "pg_catalog.time",
                    7: "pg_catalog.timestamp", 8: "pg_catalog.timestamp"}
_NOW_FUNCTIONS = {"now", "statement_timestamp", "transaction_timestamp", "clock_timestamp"}
_TYPE_ALIASES = {"timestamp with time zone": "timestamptz", "timestamp without time zone": "timestamp",
                 "time with time zone": "timetz", "time without time zone": "time"}
# (type of the typed operand, operator) -> type of the placeholder next to it.
_TEMPORAL_PARTNER = {
    ("date", "+"): "pg_catalog.int4", ("date", "-"): "pg_catalog.int4",
    **{(t, op): "pg_catalog.interval" for t in _TIMESTAMPS for op in ("+", "-")},
    ("interval", "*"): "pg_catalog.float8", ("interval", "/"): "pg_catalog.float8",
}


def type_name(qualified: str) -> Any:
    """``pg_catalog.int4`` or ``pg_catalog.int4[]`` as a pglast TypeName."""
    array = qualified.endswith("[]")
    parts = [p.strip('"') for p in re.split(r"\.(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", qualified.removesuffix("[]"))]
    return ast.TypeName(names=tuple(ast.String(sval=p) for p in parts), typemod=-1,
                        arrayBounds=(ast.Integer(ival=-1),) if array else None)


TEXT = "pg_catalog.text"
NUMERIC = "pg_catalog.numeric"
INT4 = "pg_catalog.int4"


def drop_interval_precision(query: str) -> str:
    """``interval $2 day (3)`` → ``interval $2 day``: PostgreSQL has no leading-field precision.

    Found with pglast's scanner rather than a regular expression, so text inside string literals,
    identifiers and comments is never touched. ``second (3)`` is valid and kept.
    """
    try:
        tokens = scan(query)
    except Exception:  # an unscannable text is reported by the parser later
        return query
    cuts: list[tuple[int, int]] = []
    for i, tok in enumerate(tokens):
        if tok.name != "INTERVAL" or i + 2 >= len(tokens) or tokens[i + 1].name != "PARAM":
            continue
        j = i + 2
        while j < len(tokens) and tokens[j].name in _INTERVAL_FIELDS | {"TO", "SECOND_P"}:
            j += 1
        if (j > i + 2 and tokens[j - 1].name != "SECOND_P" and j + 2 < len(tokens)
                and tokens[j].name == "ASCII_40" and tokens[j + 1].name == "ICONST"
                and tokens[j + 2].name == "ASCII_41"):
            cuts.append((tokens[j].start, tokens[j + 2].end + 1))
    for start, end in reversed(cuts):
        query = query[:start] + query[end:]
    return query


class Rewriter:
    """Adds the casts a normalized statement needs to be planned with unknown parameter values.

    ``column_types`` maps the text position of each resolved column reference to its column (from
    :class:`pgsql.workload.scopes.Extractor`); ``forced`` types placeholders the server reported it
    could not type on an earlier attempt.
    """

    def __init__(self, column_types: dict[int, Column], server_major: int,
                 forced: dict[int, str] | None = None, substitution: Substitution | None = None,
                 replace: dict[str, str] | None = None) -> None:
        self.column_types = column_types
        self.server_major = server_major
        self.forced = forced or {}
        self.subst = substitution or Substitution()
        self.replace = replace or {}

    def sql(self, stmt: Any) -> tuple[str, dict[int, int]]:
        """The plannable text, and for each placeholder left in it its number in the original text.

        Placeholders replaced by typical values disappear; the others are renumbered 1..n, because a
        generic plan cannot type a placeholder number that no longer occurs in the text.
        """
        tree = copy.deepcopy(stmt)
        tree = self.visit(tree, None)
        remaining = sorted(params(tree))
        renumber = {old: new for new, old in enumerate(remaining, start=1)}
        for node in walk(tree):
            if isinstance(node, ast.ParamRef):
                node.number = renumber[node.number or 0]
        return str(RawStream()(tree)), {new: old for old, new in renumber.items()}

    def literal(self, value: str, cast: str | None) -> Any:
        const = ast.A_Const(isnull=False, val=ast.String(sval=value))
        return self.cast(const, cast) if cast else const

    # -- types of expressions ----------------------------------------------------------------------

    def type_of(self, node: object) -> tuple[str | None, str | None]:
        """(cast type, type category) of an expression when we can tell it cheaply, else (None, None)."""
        if isinstance(node, ast.ColumnRef):
            col = self.column_types.get(node.location or 0)
            return (col.cast_type, col.category) if col else (None, None)
        if isinstance(node, ast.TypeCast):
            return str(RawStream()(node.typeName)) if node.typeName is not None else None, None
        if isinstance(node, ast.A_Const) and isinstance(node.val, ast.Integer):
            return INT4, "N"
        if isinstance(node, ast.A_Const) and isinstance(node.val, ast.Float):
            return NUMERIC, "N"
        if isinstance(node, ast.SQLValueFunction):
            return _SQL_VALUE_TYPES.get(int(node.op or 0)), "D"
        if isinstance(node, ast.FuncCall) and node.funcname and not node.args \
                and getattr(node.funcname[-1], "sval", "") in _NOW_FUNCTIONS:
            return "pg_catalog.timestamptz", "D"
        return None, None

    def untyped(self, node: object) -> bool:
        """True when the server could not give the expression a type on its own."""
        if isinstance(node, ast.ParamRef):
            return node.number not in self.forced
        if isinstance(node, ast.A_Const):
            return isinstance(node.val, ast.String)
        if isinstance(node, ast.A_Expr) and node.kind == A_Expr_Kind.AEXPR_OP and _op(node) in _ARITHMETIC:
            return all(self.untyped(x) for x in (node.lexpr, node.rexpr) if x is not None)
        if isinstance(node, ast.CaseExpr):
            results = [w.result for w in node.args or ()]
            if node.defresult is not None:
                results.append(node.defresult)
            return bool(results) and all(self.untyped(r) for r in results)
        return False

    # -- the walk ----------------------------------------------------------------------------------

    def cast(self, node: Any, qualified: str) -> Any:
        return ast.TypeCast(arg=node, typeName=type_name(qualified))

    def stand_in(self, node: Any) -> Any:
        """The column reference standing in for an expression being replaced, or None."""
        if not self.replace or not isinstance(node, ast.FuncCall | ast.A_Expr | ast.TypeCast):
            return None
        refs = [n for n in walk(node) if isinstance(n, ast.ColumnRef)]
        if not refs:
            return None
        unqualified = copy.deepcopy(node)
        for ref in walk(unqualified):
            if isinstance(ref, ast.ColumnRef) and ref.fields:
                ref.fields = (ref.fields[-1],)
        column = self.replace.get(str(RawStream()(unqualified)))
        if column is None or getattr((refs[0].fields or (None,))[-1], "sval", None) != column:
            return None
        return refs[0]

    def visit(self, node: Any, expected: str | None) -> Any:
        """Return ``node`` with casts added; ``expected`` is the type an untyped value must take here."""
        if isinstance(node, tuple | list):
            return tuple(self.visit(x, None) for x in node)
        replaced = self.stand_in(node)
        if replaced is not None:
            return replaced
        if isinstance(node, ast.ParamRef):
            if node.number in self.subst.limits:
                return ast.A_Const(isnull=False, val=ast.Integer(ival=TYPICAL_LIMIT))
            if node.number in self.subst.params:
                return self.literal(self.subst.params[node.number], self.subst.casts.get(node.number))
            if node.number in self.forced:
                return self.cast(node, self.forced[node.number])
            return self.cast(node, expected) if expected else node
        if isinstance(node, ast.TypeCast):
            if isinstance(node.arg, ast.ParamRef) and node.arg.number in self.subst.params:
                node.arg = self.literal(self.subst.params[node.arg.number], None)
            elif not isinstance(node.arg, ast.ParamRef):
                node.arg = self.visit(node.arg, None)
            return node
        if isinstance(node, ast.A_Expr):
            return self.a_expr(node, expected)
        if isinstance(node, ast.CaseExpr):
            untyped = self.untyped(node)
            for when in node.args or ():
                when.expr = self.visit(when.expr, None)
                when.result = self.visit(when.result, (expected or TEXT) if untyped else None)
            if node.defresult is not None:
                node.defresult = self.visit(node.defresult, (expected or TEXT) if untyped else None)
            node.arg = self.visit(node.arg, None)
            return node
        if isinstance(node, ast.FuncCall):
            return self.func_call(node)
        if isinstance(node, ast.ResTarget):
            bare = isinstance(node.val, ast.ParamRef) or self.untyped(node.val)
            node.val = self.visit(node.val, TEXT if isinstance(node.val, ast.ParamRef) else
                                  (NUMERIC if bare else None))
            return node
        if isinstance(node, ast.NullTest) and isinstance(node.arg, ast.ParamRef):
            node.arg = self.visit(node.arg, TEXT)
            return node
        if isinstance(node, ast.Node):
            for name in slots(node):
                value = getattr(node, name, None)
                if isinstance(value, ast.Node | tuple | list):
                    setattr(node, name, self.visit(value, None))
        return node

    def a_expr(self, node: Any, expected: str | None) -> Any:
        if self.subst.exprs:
            numbers = frozenset(params(node))
            if numbers in self.subst.exprs and not any(isinstance(n, ast.ColumnRef) for n in walk(node)):
                return self.literal(self.subst.exprs[numbers], self.subst.casts.get(min(numbers)))
        op = _op(node)
        if node.kind == A_Expr_Kind.AEXPR_OP and op in _ARITHMETIC:
            operands = [x for x in (node.lexpr, node.rexpr) if x is not None]
            typed = [self.type_of(x) for x in operands]
            temporal = self.temporal_operand(node, typed)
            if temporal is not None:
                return temporal
            known = next((t for t, cat in typed if t and cat == "N"), None)
            fallback = known or (expected if expected else NUMERIC)
            if all(self.untyped(x) for x in operands):
                node.lexpr = self.visit(node.lexpr, fallback) if node.lexpr is not None else None
                node.rexpr = self.visit(node.rexpr, fallback)
            else:
                # One side is typed: a bare placeholder takes its type from it, but an untyped CASE
                # or sub-expression would be resolved as text first, so it gets the type explicitly.
                for attr in ("lexpr", "rexpr"):
                    value = getattr(node, attr)
                    if value is None:
                        continue
                    needs = self.untyped(value) and not isinstance(value, ast.ParamRef)
                    setattr(node, attr, self.visit(value, fallback if needs else None))
            return node
        left_type, left_cat = self.type_of(node.lexpr)
        right_type, _ = self.type_of(node.rexpr)

        def for_partner(value: object, partner: str | None, category: str | None) -> object:
            if isinstance(value, tuple | list):
                return tuple(for_partner(v, partner, category) for v in value)
            arithmetic = isinstance(value, ast.A_Expr) and self.untyped(value) and not isinstance(
                value, ast.ParamRef)
            return self.visit(value, partner if arithmetic and category == "N" else None)

        node.rexpr = for_partner(node.rexpr, left_type, left_cat)
        node.lexpr = for_partner(node.lexpr, right_type, "N" if right_type else None)
        return node

    def temporal_operand(self, node: Any, typed: list[tuple[str | None, str | None]]) -> Any:
        """``d_date + $5``: a bare placeholder next to a date/time value has several candidate
        operators (``date + integer``, ``date + interval``...) and the server refuses to guess. The
        constant the application wrote was a day count for a date, an interval for the others."""
        if node.lexpr is None or len(typed) != 2:
            return None
        op = _op(node)
        for param, typed_type, param_left in ((node.rexpr, typed[0][0], False), (node.lexpr, typed[1][0], True)):
            if typed_type is None or not isinstance(param, ast.ParamRef) or param.number in self.forced:
                continue
            name = _TYPE_ALIASES.get(typed_type, typed_type.rsplit(".", 1)[-1].strip('"'))
            # $1 - d: the placeholder is of d's own type (a difference of two dates or timestamps).
            wanted = (f"pg_catalog.{name}" if name in _TEMPORAL else None) if param_left and op == "-" \
                else _TEMPORAL_PARTNER.get((name, op))
            if wanted is None:
                continue
            if param_left:
                node.lexpr = self.visit(param, wanted)
                node.rexpr = self.visit(node.rexpr, None)
            else:
                node.lexpr = self.visit(node.lexpr, None)
                node.rexpr = self.visit(param, wanted)
            return node
        return None

    def func_call(self, node: Any) -> Any:
        name = node.funcname[-1].sval if node.funcname else ""
        args = list(node.args or ())
        if name == "extract" and args and isinstance(args[0], ast.ParamRef):
            args[0] = self.cast(args[0], TEXT)
            node.funcformat = CoercionForm.COERCE_EXPLICIT_CALL
            if self.server_major < 14:
                node.funcname = (ast.String(sval="pg_catalog"), ast.String(sval="date_part"))
        out: list[object] = []
        for i, arg in enumerate(args):
            if name in _INTEGER_ARGUMENTS and i > 0 and isinstance(arg, ast.ParamRef):
                out.append(self.visit(arg, INT4))
            elif name in _NUMERIC_AGGREGATES and self.untyped(arg):
                out.append(self.visit(arg, NUMERIC))
            else:
                out.append(self.visit(arg, None))
        if node.args:
            node.args = tuple(out)
        for attr in ("agg_order", "agg_filter", "over"):
            value = getattr(node, attr, None)
            if value is not None:
                setattr(node, attr, self.visit(value, None))
        return node


def _op(node: Any) -> str:
    return node.name[-1].sval if node.name else ""

