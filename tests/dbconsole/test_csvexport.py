"""The one CSV writer: text that a spreadsheet would run as a formula is written as text (OWASP's rule),
numbers stay numbers, times are ISO 8601, and the file name is reduced to safe characters."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from dbconsole.csvexport import FORMULA_STARTS, cell, csv_response, neutralise


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_it_writes_text_starting_like_a_formula_with_a_leading_quote(start: str) -> None:
    assert cell(f"{start}HYPERLINK(\"http://evil.example\")") == f"'{start}HYPERLINK(\"http://evil.example\")"


def test_it_covers_owasps_six_formula_starts() -> None:
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


def test_it_keeps_numbers_times_and_harmless_text_as_they_are() -> None:
    assert cell(-5) == "-5" and cell(-1.25) == "-1.25" and cell(Decimal("-3.10")) == "-3.10"
    assert cell(-2.0, float_format=".3f") == "-2.000"
    assert cell(None) == "" and cell(True) == "True"
    assert cell(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)) == "2026-01-02T03:04:05+00:00"
    assert cell(dt.timedelta(seconds=1.5)) == "1.500"
    assert cell("SELECT 1 -- =x") == "SELECT 1 -- =x"
    assert cell(" =1") == " =1"  # not at the start: no spreadsheet evaluates it
    assert neutralise("'already quoted") == "'already quoted"


def test_it_answers_an_attachment_whose_rows_read_back_as_written() -> None:
    response = csv_response('evil"name\r\n/../x', ["name", "=header"],
                            [["=1+1", 2], ["line\nbreak, \"quoted\"", -3]])
    assert response["Content-Disposition"] == 'attachment; filename="evil-name---..-x.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["name", "'=header"], ["'=1+1", "2"], ["line\nbreak, \"quoted\"", "-3"]]
