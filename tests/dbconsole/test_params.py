"""The parameter layer: what each kind accepts, what it refuses and how (a soft parameter's page goes on,
a hard one's request is refused), and what a request records for the property test."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django import forms
from django.http import QueryDict
from django.test import RequestFactory, override_settings

from dbconsole import params
from dbconsole.converters import Int4Converter, Int8Converter
from dbconsole.paramforms import ParamForm
from dbconsole.timerange import TimeRange, TimeRangeError

PAGE = params.Int("page", default=1, minimum=1, maximum=1000, soft=True)
SEQ: params.Int[int | None] = params.Int("seq", default=None, minimum=1)
Q = params.Text("q", max_length=10, soft=True)
SORT = params.Choice("sort", default="name", choices=("name", "size"), soft=True)
WHEN: params.Instant[dt.datetime | None] = params.Instant("when", default=None)
IDS = params.IntList("r", max_items=3, soft=True)


def request(**query: Any) -> Any:
    return RequestFactory().get("/somewhere/", query)


@pytest.mark.parametrize("raw", ["²", "١٢", "\uff11", "1.5", "1e3", "0x10", "+-1", "99999999999999999999999", "0",
                                 "1001"])
def test_it_refuses_what_is_not_an_ascii_whole_number_within_bounds(raw: str) -> None:
    with pytest.raises(params.ParamError, match="whole number from 1 to 1000"):
        PAGE.read({"page": raw})


def test_it_reads_whole_numbers_and_treats_blank_as_absent() -> None:
    assert PAGE.read({"page": " 42 "}) == 42
    assert PAGE.read({"page": ""}) == 1 and PAGE.read({}) == 1
    assert SEQ.read({}) is None


def test_it_takes_the_last_of_repeated_values() -> None:
    assert PAGE.read(QueryDict("page=2&page=3")) == 3


def test_it_goes_on_with_the_default_for_a_soft_parameter_and_says_why() -> None:
    req = request(page="²")
    assert PAGE.get(req) == 1
    [error] = params.errors(req)
    assert error.name == "page" and "'²'" in error.message and not error.used_part


def test_it_raises_for_a_hard_parameter() -> None:
    with pytest.raises(params.ParamError) as caught:
        SEQ.get(request(seq="99999999999999999999"))
    assert caught.value.name == "seq"


def test_it_keeps_what_can_be_used_of_a_soft_text() -> None:
    req = request(q="ab\x01cd")
    assert Q.get(req) == "abcd"     # what was typed, less the control character
    req = request(q="x" * 50)
    assert Q.get(req) == "x" * 10
    assert [e.used_part for e in params.errors(req)] == [True]
    assert Q.read({"q": "a\tb\nc"}) == "a\tb\nc"   # pasted text keeps its layout


def test_it_refuses_nul_in_text() -> None:
    with pytest.raises(params.ParamError, match="control characters"):
        params.Text("name").read({"name": "a\x00b"})


def test_it_checks_a_pattern() -> None:
    slug = params.Text("target", pattern=params.SLUG)
    assert slug.read({"target": "demo-1"}) == "demo-1"
    with pytest.raises(params.ParamError):
        slug.read({"target": "demo 1"})


def test_it_accepts_only_the_choices() -> None:
    assert SORT.read({"sort": "size"}) == "size"
    req = request(sort="size; DROP TABLE x")
    assert SORT.get(req) == "name" and "must be one of name, size" in params.errors(req)[0].message


def test_it_reads_flags() -> None:
    flag = params.Flag("on", soft=True)
    assert flag.read({"on": "1"}) is True and flag.read({"on": "0"}) is False and flag.read({}) is False
    req = request(on="yes")
    assert flag.get(req) is False and params.errors(req)


@pytest.mark.parametrize("raw", ["0001-01-01T00:00+14:00", "9999-12-31T23:59-14:00", "9999-12-31T23:59",
                                 "0001-01-01T00:00", "1899-12-31T23:59Z", "9000-01-01T00:00Z"])
def test_it_refuses_instants_outside_the_years_every_conversion_can_hold(raw: str) -> None:
    with pytest.raises(params.ParamError, match="between 1900 and 9000"):
        WHEN.read({"when": raw})


@pytest.mark.parametrize("raw", ["2025-01-31", "2025-02-30T10:00", "٢٠٢٥-01-31T10:00", "2025-01-31T10:00+24:00",
                                 "yesterday", "2025-01-31T10:00:00.1234567"])
def test_it_refuses_what_is_not_an_iso_instant(raw: str) -> None:
    if raw == "2025-01-31":
        assert WHEN.read({"when": raw}) is not None   # a day alone is its midnight
        return
    with pytest.raises(params.ParamError, match="is not a date and time"):
        WHEN.read({"when": raw})


@override_settings(TIME_ZONE="Pacific/Kiritimati")
def test_it_reads_an_instant_without_offset_in_the_display_zone_and_returns_utc() -> None:
    assert WHEN.read({"when": "2025-01-31T14:30"}) == dt.datetime(2025, 1, 31, 0, 30, tzinfo=dt.UTC)
    assert WHEN.read({"when": "2025-01-31 14:30Z"}) == dt.datetime(2025, 1, 31, 14, 30, tzinfo=dt.UTC)
    strict = params.Instant("at", default=None, local=False)
    with pytest.raises(params.ParamError, match="needs a UTC offset"):
        strict.read({"at": "2025-01-31T14:30"})


def test_it_reads_lists_of_ids_and_keeps_the_valid_ones() -> None:
    assert IDS.read(QueryDict("r=3&r=1,2&r=3")) == [3, 1, 2]
    req = RequestFactory().get("/x/?r=1&r=²&r=99999999999999999999&r=2")
    assert IDS.get(req) == [1, 2]
    [error] = params.errors(req)
    assert error.used_part and "'²'" in error.message
    req = RequestFactory().get("/x/?r=1,2,3,4,5")
    assert IDS.get(req) == [1, 2, 3]


def test_it_records_what_a_request_reads_and_registers_every_declaration() -> None:
    req = request()
    PAGE.get(req)
    Q.get(req)
    assert set(params.read_on(req)) == {"page", "q"}
    assert ("page", "int") in params.REGISTRY and ("q", "text") in params.REGISTRY


def test_it_turns_an_unusable_time_range_into_the_range_error() -> None:
    for query in ({"from": "0001-01-01T00:00+14:00"}, {"from": "2025-01-01T00:00", "to": "9999-12-31T23:59-14:00"},
                  {"from": "\uff12\uff10\uff12\uff15-01-01T00:00"}, {"range": "6h\x00"}):
        with pytest.raises(TimeRangeError):
            TimeRange.parse(query)
    found, error = TimeRange.from_params({"from": "9999-12-31T23:59-14:00"})
    assert found.preset == "24h" and error.startswith("'from' must lie between 1900 and 9000")


class Sample(ParamForm):
    name = forms.CharField(required=False)
    count = forms.IntegerField(required=False)
    day = forms.DateField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("a", "A"), ("b", "B")])
    flag = forms.BooleanField(required=False)


@pytest.mark.parametrize(("field", "value"), [
    ("name", "bell\x07"), ("name", "nul\x00"), ("name", "x" * 100_001), ("count", "2147483648"),
    ("count", "²"), ("day", "0001-01-01"), ("day", "9999-12-31"),
])
def test_it_gives_form_fields_the_layer_s_rules(field: str, value: str) -> None:
    form = Sample(data={field: value})
    assert not form.is_valid() and field in form.errors


def test_it_records_a_form_s_fields_when_bound_from_the_request() -> None:
    req = RequestFactory().post("/x/", {"name": "ok", "count": "3"})
    form = Sample.from_request(req)
    assert form.is_valid() and form.cleaned_data["count"] == 3
    read = params.read_on(req)
    assert (read["count"].kind, read["day"].kind, read["kind"].kind, read["flag"].kind) == (
        "int", "date", "choice", "choice")
    assert isinstance(read["kind"], params.Choice) and read["kind"].choices == ("a", "b")


def test_it_matches_path_integers_only_within_postgres_types() -> None:
    assert Int4Converter().to_python("2147483647") == 2**31 - 1
    with pytest.raises(ValueError):
        Int4Converter().to_python("2147483648")
    assert Int8Converter().to_python("9223372036854775807") == 2**63 - 1
    with pytest.raises(ValueError):
        Int8Converter().to_python("9223372036854775808")
