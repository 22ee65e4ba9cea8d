"""Statements over a range with the Queries page's sorts and filters (ranked, filtered and paged in the
history store by ``statement_totals``), one statement with its text and totals, and its series."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api import pagination
from api.errors import not_found
from api.params import Choice, Query, Text, path_int, path_param
from api.schema import documented
from api.serializers.common import RangeSerializer, paged, range_json
from api.serializers.statements import StatementDetailSerializer, StatementPointSerializer, StatementSerializer
from api.views.base import ApiView, target
from dbconsole.timerange import TimeRange
from monitoring.history.selectors import statements as stmt
from monitoring.ui.statements import DEFAULT_SORT

LIST = Query((
    Choice("sort", "Biggest first by: " + ", ".join(stmt.ORDERS) + " (as on the Queries page).",
           tuple(stmt.ORDERS), default=DEFAULT_SORT),
    Text("q", "Text contains (case-insensitive).", max_length=200),
    Text("database", "Only this database (exact).", max_length=63),
    Text("user", "Only this user (exact).", max_length=63),
), ranged=True, paged=True, page_size=50, max_page_size=stmt.PAGE_PASS_MAX)
ONE = Query((), ranged=True)
SERIES = Query((), ranged=True, paged=True, page_size=500, max_page_size=2000)
PATH = [path_param("name", "The target's name."), path_param("seq", "The statement's seq.", integer=True)]

StatementPage = paged("StatementPage", StatementSerializer, ranged=True, extra={
    "total": serializers.IntegerField(help_text="Statements matching the filters, on all pages."),
    "covered": RangeSerializer(help_text="The range actually summed: widened to whole hours."),
    "as_of": serializers.DateTimeField(allow_null=True, help_text="Newest sample included."),
})
StatementPointPage = paged("StatementPointPage", StatementPointSerializer, ranged=True,
                           extra={"seq": serializers.IntegerField()})


class StatementList(ApiView):
    @documented(op="statements_list",
                summary="Statements over a time range, sorted and filtered like the Queries page",
                path=PATH[:1], query=LIST, responses={200: StatementPage}, tags=["statements"])
    def get(self, request: Request, name: str) -> Response:
        obj = target(name)
        values = LIST.read(request.query_params, scope=f"statements:{obj.pk}")
        window = values["time_range"]
        offset = pagination.offset_of(values)
        size = values["limit"]
        page = stmt.statement_totals(obj.pk, window.start, window.end, order=values["sort"],
                                     database=values["database"], user=values["user"], text=values["q"],
                                     limit=size, offset=offset)
        more = offset + len(page.rows) < page.total and len(page.rows) == size
        return Response(pagination.page(
            request, f"statements:{obj.pk}", values, StatementSerializer(page.rows, many=True).data,
            offset + size if more else None, range=range_json(window), total=page.total,
            covered=range_json(TimeRange(start=page.start, end=page.end)),
            as_of=serializers.DateTimeField().to_representation(page.as_of) if page.as_of else None,
        ))


class StatementDetail(ApiView):
    @documented(op="statement_get",
                summary="One statement: its whole text and its totals over the range", path=PATH, query=ONE,
                responses={200: StatementDetailSerializer}, tags=["statements"])
    def get(self, request: Request, name: str, seq: str) -> Response:
        obj = target(name)
        number = path_int("seq", seq)
        values = ONE.read(request.query_params)
        found = stmt.statement(obj.pk, number)
        if found is None:
            raise not_found("no such statement on this target", "seq")
        window = values["time_range"]
        totals = stmt.one_statement_totals(obj.pk, number, window.start, window.end)
        return Response(StatementDetailSerializer({
            "seq": found.seq, "queryid": found.queryid, "datname": found.datname, "usename": found.usename,
            "toplevel": found.toplevel, "text": stmt.query_text(found.pk),
            "totals": totals if totals and (totals.calls or totals.plans) else None,
        }).data)


class StatementSeries(ApiView):
    @documented(op="statement_series",
                summary="One statement's counters per bucket over the range (raw minutes up to 6 h, hours up "
                        "to 14 days, days beyond)", path=PATH, query=SERIES,
                responses={200: StatementPointPage}, tags=["statements"])
    def get(self, request: Request, name: str, seq: str) -> Response:
        obj = target(name)
        number = path_int("seq", seq)
        values = SERIES.read(request.query_params, scope=f"series:{obj.pk}:{number}")
        if stmt.statement(obj.pk, number) is None:
            raise not_found("no such statement on this target", "seq")
        window = values["time_range"]
        points = stmt.statement_series(obj.pk, number, window.start, window.end)
        chunk, after = pagination.slice_page(points, values)
        return Response(pagination.page(request, f"series:{obj.pk}:{number}", values,
                                        StatementPointSerializer(chunk, many=True).data, after,
                                        range=range_json(window), seq=number))
