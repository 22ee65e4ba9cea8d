"""The table helper: sorting, filtering and CSV from the query string, over lists and QuerySets."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.test import RequestFactory

from monitoring.models import Target
from monitoring.ui.tables import Column, Table

ROWS = [
    {"name": "alpha", "state": "active", "ms": 120.0, "took": dt.timedelta(seconds=3), "query": "SELECT 1"},
    {"name": "beta", "state": "idle", "ms": None, "took": None, "query": "=HYPERLINK(\"http://x\")"},
    {"name": "gamma", "state": "active", "ms": 9.5, "took": dt.timedelta(minutes=2), "query": "select * from orders"},
]
COLUMNS = [
    Column("name", "Name", search=True),
    Column("state", "State", choices=True),
    Column("ms", "Mean ms", numeric=True),
    Column("took", "Took", numeric=True),
    Column("query", "Query", search=True, sortable=False),
]


def _table(query: str = "", **kwargs: Any) -> Table:
    return Table(RequestFactory().get(f"/x/?{query}"), COLUMNS, ROWS, **kwargs)


def test_it_sorts_numbers_biggest_first_with_empty_values_last_in_both_directions() -> None:
    assert [r["name"] for r in _table("sort=-ms").rows] == ["alpha", "gamma", "beta"]
    assert [r["name"] for r in _table("sort=ms").rows] == ["gamma", "alpha", "beta"]
    assert [r["name"] for r in _table("sort=-took").rows] == ["gamma", "alpha", "beta"]


def test_it_ignores_a_sort_on_an_unknown_or_unsortable_column() -> None:
    assert _table("sort=query", default_sort="name").sort_key == "name"
    assert _table("sort=-password", default_sort="-ms").sort_key == "ms"


def test_it_filters_by_text_case_insensitively_and_by_choice() -> None:
    assert [r["name"] for r in _table("q=ORDERS").rows] == ["gamma"]
    assert [r["name"] for r in _table("state=active&sort=name").rows] == ["alpha", "gamma"]
    assert _table("state=active").choice_options() == {"state": ["active", "idle"]}


def test_it_its_header_links_flip_the_active_column_and_keep_other_parameters() -> None:
    table = _table("sort=-ms&q=a&range=6h")
    headers = {h.column.key: h for h in table.headers}
    flip = parse_qs(headers["ms"].query)
    assert flip["sort"] == ["ms"] and flip["q"] == ["a"] and flip["range"] == ["6h"]
    assert headers["ms"].aria_sort == "descending"
    assert parse_qs(headers["name"].query)["sort"] == ["name"]
    assert parse_qs(headers["took"].query)["sort"] == ["-took"]  # a number starts biggest-first


def test_it_prefixed_tables_keep_out_of_each_others_parameters() -> None:
    request = RequestFactory().get("/x/?a-sort=name&b-q=zzz&range=7d")
    first = Table(request, COLUMNS, ROWS, prefix="a", default_sort="-ms")
    second = Table(request, COLUMNS, ROWS, prefix="b", default_sort="-ms")
    assert first.sort_key == "name" and first.q == ""
    assert second.sort_key == "ms" and second.q == "zzz" and second.rows == []
    assert parse_qs(first.headers[0].query) == {"a-sort": ["-name"], "b-q": ["zzz"], "range": ["7d"]}


def test_it_exports_the_filtered_sorted_rows_as_csv_with_formulas_defused() -> None:
    table = _table("sort=name&csv=1")
    assert table.wants_csv
    response = table.csv_response("my report/2025")
    assert response["Content-Disposition"] == 'attachment; filename="my-report-2025.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Name", "State", "Mean ms", "Took", "Query"]
    assert rows[1] == ["alpha", "active", "120.0", "3.000", "SELECT 1"]
    assert rows[2][2:] == ["", "", "'=HYPERLINK(\"http://x\")"]  # a spreadsheet will not run it
    assert "csv=1" in table.csv_query


@pytest.mark.django_db
def test_it_sorts_and_filters_a_queryset_in_the_database(django_assert_num_queries: Any) -> None:
    for name, port in (("web-1", 5433), ("web-2", 5432), ("batch", 5434)):
        Target.objects.create(name=name, host="db.internal", port=port, dbname="app", username="mon")
    columns = [Column("name", "Name", search=True), Column("port", "Port", numeric=True)]
    table = Table(RequestFactory().get("/x/?q=web&sort=-port"), columns, Target.objects.all())
    with django_assert_num_queries(1):
        assert [t.name for t in table.rows] == ["web-1", "web-2"]
