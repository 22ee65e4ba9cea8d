"""Indexes with the Indexes page's flags (unused over the range, duplicate, redundant, invalid, drop
candidate — assembled by ``monitoring.ui.indexes``) and tables with sizes, growth, bloat and grades."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from api import pagination
from api import queries as q
from api.params import path_param
from api.schema import documented
from api.serializers.common import paged, range_json
from api.serializers.relations import IndexSerializer, TableSerializer
from api.views.base import ApiView, target
from dbconsole.thresholds import RANK, WARNING, grade_bloat, grade_wraparound, thresholds_for
from monitoring.history.selectors.configuration import settings_current
from monitoring.history.selectors.health import FREEZE_SETTINGS
from monitoring.history.selectors.relations import TableRow, tables
from monitoring.models.relations import TABLE_KINDS
from monitoring.ui.indexes import IndexReport, index_reports

NAME = [path_param("name", "The target's name.")]
IndexPage = paged("IndexPage", IndexSerializer, ranged=True)
TablePage = paged("TablePage", TableSerializer)


def sort_rows(rows: Sequence[Any], key: str, get: Callable[[Any, str], Any]) -> list[Any]:
    """Like the pages' tables: empty values last in either direction; text case-insensitively."""
    name = key.lstrip("-")
    descending = key.startswith("-")
    present = [r for r in rows if get(r, name) is not None]
    missing = [r for r in rows if get(r, name) is None]

    def value(row: Any) -> Any:
        found = get(row, name)
        return found.casefold() if isinstance(found, str) else found

    return sorted(present, key=value, reverse=descending) + missing


def _has(r: IndexReport, flag: str) -> bool:
    return {"unused": r.unused, "duplicate": bool(r.duplicate_of or r.covered_by), "invalid": not r.is_valid,
            "drop": r.drop}[flag]


class IndexList(ApiView):
    @documented(op="indexes_list",
                summary="Indexes with their flags over the range", path=NAME, query=q.INDEXES,
                responses={200: IndexPage}, tags=["relations"])
    def get(self, request: Request, name: str) -> Response:
        obj = target(name)
        values = q.INDEXES.read(request.query_params, scope=f"indexes:{obj.pk}")
        window = values["time_range"]
        rows = index_reports(obj.pk, obj.server_major, window.start, window.end)
        if values["flag"]:
            rows = [r for r in rows if _has(r, values["flag"])]
        if values["table"]:
            rows = [r for r in rows if r.table == values["table"]]
        if values["q"]:
            needle = values["q"].casefold()
            rows = [r for r in rows if any(needle in t.casefold() for t in (r.name, r.table, r.definition))]
        rows = sort_rows(rows, values["sort"], lambda r, k: getattr(r, k))
        chunk, after = pagination.slice_page(rows, values)
        return Response(pagination.page(request, f"indexes:{obj.pk}", values, IndexSerializer(chunk, many=True).data,
                                        after,
                                        range=range_json(window)))


def _bloat_ratio(row: TableRow) -> float | None:
    bloat = row.exact_bloat_bytes if row.exact_bloat_bytes is not None else row.est_bloat_bytes
    heap = row.values["heap_bytes"]
    return bloat / heap if bloat is not None and heap else None


class TableList(ApiView):
    @documented(op="tables_list",
                summary="Tables: sizes, growth, bloat, dead tuples, maintenance, with grades", path=NAME,
                query=q.TABLES, responses={200: TablePage}, tags=["relations"])
    def get(self, request: Request, name: str) -> Response:
        obj = target(name)
        values = q.TABLES.read(request.query_params, scope=f"tables:{obj.pk}")
        limits = thresholds_for(obj)
        freeze = {s.name: s.setting for s in settings_current(obj.pk) if s.name in FREEZE_SETTINGS}
        items = [self._item(row, limits, freeze) for row in tables(obj.pk)]
        if values["q"]:
            items = [i for i in items if values["q"].casefold() in i["name"].casefold()]
        if values["kind"]:
            items = [i for i in items if i["kind"] == values["kind"]]
        if values["flag"]:
            items = [i for i in items if values["flag"] in i["flags"]]
        items = sort_rows(items, values["sort"], lambda i, k: i[k])
        chunk, after = pagination.slice_page(items, values)
        return Response(pagination.page(request, f"tables:{obj.pk}", values,
                                        TableSerializer(chunk, many=True).data, after))

    @staticmethod
    def _item(row: TableRow, limits: Any, freeze: dict[str, str]) -> dict[str, Any]:
        v = row.values
        ratio = _bloat_ratio(row)
        wasted = row.exact_bloat_bytes if row.exact_bloat_bytes is not None else row.est_bloat_bytes
        bloat = grade_bloat(wasted, ratio, limits)
        wraparound = max(
            grade_wraparound(v.get("xid_age"), _number(freeze.get("autovacuum_freeze_max_age"),
                                                       FREEZE_SETTINGS["autovacuum_freeze_max_age"]), limits),
            grade_wraparound(v.get("mxid_age"), _number(freeze.get("autovacuum_multixact_freeze_max_age"),
                                                        FREEZE_SETTINGS["autovacuum_multixact_freeze_max_age"]),
                             limits),
            key=RANK.__getitem__)
        flags = [word for word, grade in (("bloated", bloat), ("wraparound", wraparound))
                 if RANK[grade] >= RANK[WARNING]]
        rel = row.relation
        return {
            "seq": rel.seq, "name": rel.qualified_name, "kind": TABLE_KINDS.get(rel.kind, rel.kind),
            "captured_at": row.captured_at, "total_bytes": row.total_bytes, "heap_bytes": v["heap_bytes"],
            "toast_bytes": v["toast_bytes"], "index_bytes": v["index_bytes"], "growth_7d_bytes": row.growth_7d_bytes,
            "growth_30d_bytes": row.growth_30d_bytes, "growth_since": row.growth_since,
            "est_bloat_bytes": row.est_bloat_bytes, "exact_bloat_bytes": row.exact_bloat_bytes,
            "bloat_measured_at": row.bloat_measured_at, "bloat_ratio": ratio, "n_live_tup": v["n_live_tup"],
            "n_dead_tup": v["n_dead_tup"], "dead_ratio": row.dead_ratio, "last_vacuumed": row.last_vacuumed,
            "last_analyzed": row.last_analyzed, "xid_age": v.get("xid_age"), "mxid_age": v.get("mxid_age"),
            "bloat": bloat, "wraparound": wraparound, "flags": flags,
        }


def _number(text: str | None, default: int) -> int:
    return int(text) if text is not None and text.isascii() and text.isdigit() else default
