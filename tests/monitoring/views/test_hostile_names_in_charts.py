"""Names planted in a real target, collected by the real collectors, on their way out: a link in an
``application_name`` reaches plotly only escaped (no tag can form), and a schema named like a spreadsheet
formula comes out of every CSV — chart data and tables alike — as text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from monitoring.charts.figures import plotly_safe
from tests.monitoring.views.history_data import collect
from tests.support.hostile import FORMULA_SCHEMA, FORMULA_TABLE, LINK_APPLICATION, link_session, plant_formula_schema
from tests.support.targets import TargetDb

pytestmark = pytest.mark.django_db

ESCAPED_LINK = "&lt;a href=\"https://evil.example/\"&gt;x&lt;/a&gt;"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "private, no-store"
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_it_escapes_planted_names_for_plotly_and_defuses_them_in_every_csv(
    target_db: TargetDb, viewer: User, client_for: Callable[[User], Client],
) -> None:
    plant_formula_schema(target_db)
    target = target_db.make_target()
    with link_session(target_db):
        collect(target, "database", "activity", "relations")
        collect(target, "activity", "relations")
    client = client_for(viewer)

    # The connections legend by application: the name is there, as text plotly cannot turn into a tag.
    url = reverse("chart", args=[target.name, "connections-history"])
    response = client.get(url, {"range": "1h", "by": "application"})
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode()
    figure = json.loads(body)
    names = [t["name"] for t in figure["data"]]
    assert ESCAPED_LINK in names
    assert not any("<a" in s for s in _strings(figure)), "an unescaped tag reached plotly"
    # ...while its CSV keeps the name as it is (a CSV is not HTML), counted like any application.
    rows = _csv(client.get(url, {"range": "1h", "by": "application", "format": "csv"}))
    assert rows[0] == ["series", "x", "y"]
    assert {r[0] for r in rows[1:]} >= {LINK_APPLICATION}
    assert max(float(r[2]) for r in rows[1:] if r[0] == LINK_APPLICATION) >= 1

    # The largest tables: the formula-named table is a trace; its CSV rows begin with a quote.
    qualified = f"{FORMULA_SCHEMA}.{FORMULA_TABLE}"
    tables_url = reverse("chart", args=[target.name, "largest-tables"])
    figure = client.get(tables_url, {"range": "1h"}).json()
    assert qualified in [t["name"] for t in figure["data"]]
    rows = _csv(client.get(tables_url, {"range": "1h", "format": "csv"}))
    series = {r[0] for r in rows[1:]}
    assert "'" + qualified in series and qualified not in series
    assert all(not r[0].startswith(("=", "+", "-", "@")) for r in rows)

    # The tables page's own CSV goes through the same writer.
    rows = _csv(client.get(reverse("tables", args=[target.name]), {"csv": "1"}))
    cells = [c for r in rows[1:] for c in r]
    assert "'" + FORMULA_SCHEMA in cells or "'" + qualified in cells
    assert not any(c.startswith(("=", "@")) for c in cells)


def test_it_escapes_every_text_of_a_figure_but_the_templates_written_in_code() -> None:
    figure: dict[str, Any] = {
        "data": [{"name": "<b>x</b>", "x": ["<i>cat</i>", 1.5], "y": [1, None], "text": ["a & b"],
                  "hovertemplate": "%{text}<extra></extra>", "marker": {"color": "#2458c6"}}],
        "layout": {"title": {"text": "<a href='https://evil.example/'>t</a>"},
                   "annotations": [{"text": "<br>", "hovertext": "1 < 2"}],
                   "xaxis": {"ticktext": ["<sup>1</sup>"]}, "legend": {"title": {"text": ">"}}},
    }
    safe = plotly_safe(figure)
    assert safe["data"][0]["name"] == "&lt;b&gt;x&lt;/b&gt;"
    assert safe["data"][0]["x"] == ["&lt;i&gt;cat&lt;/i&gt;", 1.5]
    assert safe["data"][0]["y"] == [1, None]
    assert safe["data"][0]["text"] == ["a &amp; b"]
    assert safe["data"][0]["hovertemplate"] == "%{text}<extra></extra>"
    assert safe["data"][0]["marker"]["color"] == "#2458c6"
    assert safe["layout"]["title"]["text"] == "&lt;a href='https://evil.example/'&gt;t&lt;/a&gt;"
    assert safe["layout"]["annotations"][0] == {"text": "&lt;br&gt;", "hovertext": "1 &lt; 2"}
    assert safe["layout"]["xaxis"]["ticktext"] == ["&lt;sup&gt;1&lt;/sup&gt;"]
    assert safe["layout"]["legend"]["title"]["text"] == "&gt;"
    assert figure["data"][0]["name"] == "<b>x</b>"  # the builders' figure stays raw (the CSV reads it)
