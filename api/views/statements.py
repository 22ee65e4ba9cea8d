"""Statements over a range with the Queries page's sorts and filters (ranked, filtered and paged in the
history store by ``statement_totals``), one statement with its text and totals, and its series."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api import pagination
from api import queries as q
from api.errors import not_found
from api.params import path_int, path_param
from api.schema import documented
from api.serializers.common import RangeSerializer, paged, range_json
from api.serializers.statements import StatementDetailSerializer, StatementPointSerializer, StatementSerializer
from api.views.base import ApiView, target
from dbconsole.timerange import TimeRange
from monitoring.history.selectors import statements as stmt

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
                path=PATH[:1], query=q.STATEMENTS, responses={200: StatementPage}, tags=["statements"])
    def get(self, request: Request, name: str) -> Response:
        obj = target(name)
        values = q.STATEMENTS.read(request.query_params, scope=f"statements:{obj.pk}")
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
                summary="One statement: its whole text and its totals over the range", path=PATH, query=q.STATEMENT,
                responses={200: StatementDetailSerializer}, tags=["statements"])
    def get(self, request: Request, name: str, seq: str) -> Response:
        obj = target(name)
        number = path_int("seq", seq)
        values = q.STATEMENT.read(request.query_params)
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
                        "to 14 days, days beyond)", path=PATH, query=q.STATEMENT_SERIES,
                responses={200: StatementPointPage}, tags=["statements"])
    def get(self, request: Request, name: str, seq: str) -> Response:
        obj = target(name)
        number = path_int("seq", seq)
        values = q.STATEMENT_SERIES.read(request.query_params, scope=f"series:{obj.pk}:{number}")
        if stmt.statement(obj.pk, number) is None:
            raise not_found("no such statement on this target", "seq")
        window = values["time_range"]
        points = stmt.statement_series(obj.pk, number, window.start, window.end)
        chunk, after = pagination.slice_page(points, values)
        return Response(pagination.page(request, f"series:{obj.pk}:{number}", values,
                                        StatementPointSerializer(chunk, many=True).data, after,
                                        range=range_json(window), seq=number))
