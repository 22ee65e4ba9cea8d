"""Hypothesis strategies for the no-5xx property test: every URL pattern of the project as a strategy of
paths, and values for each kind of ``dbconsole.params`` parameter, mixed with the hostile classics.

Routes come from ``get_resolver()`` walked recursively; each ``<converter:name>`` in a route is filled with
a real value (``reals(name)``, looked up when drawn, so a value may change between examples) or a generated
one, and each regex route (the admin's) with a string its regex matches.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import strategies as st

from dbconsole import params

# Values that broke pages before, or that break parsers generally. NUL, digits that ``str.isdigit()``
# accepts and ``int()`` refuses (or reads), numbers past 32 and 64 bits, instants whose offset leaves
# Python's datetime range, texts far past any cap, SQL, HTML, bidi controls, separators.
HOSTILE = (
    "\x00", "a\x00b", "²", "١٢", "\uff11", "-1", "0", "-0", "+1", "1.5", "1e309", "NaN", "inf", "0x10",
    str(2**31 - 1), str(2**31), str(2**63 - 1), str(2**63), "99999999999999999999999", "9" * 400,
    "0001-01-01T00:00+14:00", "9999-12-31T23:59-14:00", "9999-12-31T23:59", "0001-01-01", "9999-12-31",
    "2025-02-30T10:00", "1899-12-31T23:59Z", " ", "x" * 5000, "ü" * 300, "' OR 1=1 --", "<script>alert(1)</script>",
    "%", "%00", "\r\n", "\x07", "\u202e", "😀", "../../etc/passwd", "-", "--", ",", "1,²,3", "1,,2",
)
# The sharpest of them, sent in every parameter of every route (the battery): one per class of failure
# seen — NUL, a digit int() refuses, negative, past int4, past int8, instants leaving the calendar
# through their offset, a text past every cap, a control character with SQL.
SHARP = ("\x00", "²", "-1", str(2**31), "99999999999999999999999", "0001-01-01T00:00+14:00",
         "9999-12-31T23:59-14:00", "x" * 5000, "\x07' OR 1=1 --")
# Pieces put into a query string or a form body as they are, not encoded again: malformed escapes,
# overlong and surrogate UTF-8, an encoded NUL.
RAW_PIECES = ("q=%FF", "q=%ED%A0%80", "page=%", "sort=%zz", "target=%00", "r=%C0%AF", "x=%E2%80%AE", "a=+%2B",
              "%00=1", "range=6h&range=%00", "=", "&&", "from=%32%30%32%35")
_PLACEHOLDER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    """One URL pattern, with the patterns of the includes above it."""

    parts: tuple[RoutePattern | RegexPattern, ...]
    name: str

    @property
    def text(self) -> str:
        return "".join(str(p) for p in self.parts)

    @property
    def admin(self) -> bool:
        return self.text.startswith("admin/")

    @property
    def placeholders(self) -> list[str]:
        return [m["name"] for p in self.parts if isinstance(p, RoutePattern) for m in _PLACEHOLDER.finditer(str(p))]


def routes() -> list[Route]:
    def walk(resolver: URLResolver, above: tuple[Any, ...]) -> Iterator[Route]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, (*above, entry.pattern))
            elif isinstance(entry, URLPattern):
                parts = (*above, entry.pattern)
                yield Route(parts=parts, name=entry.name or "".join(str(p) for p in parts))

    return list(walk(get_resolver(), ()))


def real_paths(route: Route, reals: Callable[[str], Sequence[str]], every: tuple[str, ...] = ("name",)) -> list[str]:
    """The route with real values: each of them for the placeholders in ``every`` (a chart's name picks
    what it reads), the first for the others; none when a placeholder has none, or for a regex route."""
    if any(isinstance(part, RegexPattern) for part in route.parts):
        return []
    text = "".join(str(part) for part in route.parts)
    choices = []
    for name in route.placeholders:
        found = list(reals(name))
        if not found:
            return []
        choices.append(found if name in every else found[:1])
    out = []
    for picked in itertools.product(*choices):
        path = text
        for value in picked:
            path = _PLACEHOLDER.sub(quote(value, safe=""), path, count=1)   # quoted: no backslash left
        out.append("/" + path)
    return out


def paths(route: Route, reals: Callable[[str], Sequence[str]]) -> st.SearchStrategy[str]:
    """Paths of ``route``: placeholders real or generated, regex parts as their regex allows."""
    pieces: list[st.SearchStrategy[str]] = []
    for part in route.parts:
        if isinstance(part, RegexPattern):
            pieces.append(st.from_regex(part.regex, fullmatch=True).map(lambda s: quote(s, safe="/")))
            continue
        text, at = str(part), 0
        for m in _PLACEHOLDER.finditer(text):
            pieces.append(st.just(text[at:m.start()]))
            pieces.append(_placeholder(m["converter"] or "str", m["name"], reals))
            at = m.end()
        pieces.append(st.just(text[at:]))
    return st.tuples(*pieces).map(lambda found: "/" + "".join(found))


def _placeholder(converter: str, name: str, reals: Callable[[str], Sequence[str]]) -> st.SearchStrategy[str]:
    # Looked up when drawn: the sacrificial target a POST removed is made again for the next one.
    real = st.integers(0, 1000).map(lambda i: _pick(reals(name), i))
    if converter in ("int", "int4", "int8"):
        made: st.SearchStrategy[str] = st.one_of(st.integers(0, 2**70).map(str), st.sampled_from(
            ["0", str(2**31 - 1), str(2**31), str(2**63 - 1), str(2**63), "9" * 30]))
    elif converter == "slug":
        made = st.from_regex(r"[-a-zA-Z0-9_]{1,80}", fullmatch=True)
    else:
        made = st.one_of(st.text(min_size=1, max_size=40), st.sampled_from(HOSTILE))
    return st.one_of(real, real, made).map(lambda v: quote(v, safe=""))


def _pick(found: Sequence[str], index: int) -> str:
    return found[index % len(found)] if found else "1"


# -- parameter values -----------------------------------------------------------------------------------

def values(param: params.Param[Any]) -> st.SearchStrategy[str]:
    """Strings for ``param``: its valid kind, hostile classics as often, and any text."""
    return st.one_of(_valid(param), st.sampled_from(HOSTILE), st.sampled_from(HOSTILE), st.text(max_size=60))


def _valid(param: params.Param[Any]) -> st.SearchStrategy[str]:
    if isinstance(param, params.Int | params.IntList):
        low, high = param.minimum, min(param.maximum, 10**6)
        number = st.integers(low, high).map(str) | st.integers(low - 3, low + 3).map(str)
        if isinstance(param, params.IntList):
            return st.lists(number, min_size=1, max_size=4).map(",".join)
        return number
    if isinstance(param, params.Choice):
        return st.sampled_from(param.choices) if param.choices else st.just("")
    if isinstance(param, params.Flag):
        return st.sampled_from(["1", "0", "true", "on"])
    if isinstance(param, params.Instant):
        return _instants()
    if isinstance(param, params.Date):
        return st.dates(dt.date(1899, 12, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat)
    if isinstance(param, params.Text):
        if param.pattern:
            return st.from_regex(param.pattern, fullmatch=True)
        return st.text(max_size=param.max_length + 5)
    return st.text(max_size=60)


def _instants() -> st.SearchStrategy[str]:
    """Near now (what a range picker sends), far off, at the edges of the calendar, with offsets."""
    now = dt.datetime.now().replace(microsecond=0)
    near = st.integers(-45 * 86400, 3600).map(lambda s: now + dt.timedelta(seconds=s))
    far = st.datetimes(dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59))
    offset = st.sampled_from(["", "Z", "+00:00", "+14:00", "-14:00", "+05:30", "-0930"])
    shape = st.sampled_from(["T", " ", "T:s", "day"])
    return st.builds(_iso, st.one_of(near, near, far), shape, offset)


def _iso(moment: dt.datetime, shape: str, offset: str) -> str:
    day = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    if shape == "day":
        return day
    clock = f"{moment.hour:02d}:{moment.minute:02d}" + (f":{moment.second:02d}" if shape == "T:s" else "")
    return f"{day}{shape[0]}{clock}{offset}"


def pairs(declared: Sequence[params.Param[Any]], extras: Sequence[params.Param[Any]]
          ) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Name/value pairs: each of the route's parameters or not, up to two declared elsewhere or read by
    nobody, and now and then one given twice."""
    def named(param: params.Param[Any]) -> st.SearchStrategy[tuple[str, str]]:
        return st.tuples(st.just(param.name), values(param))

    own = st.tuples(*(st.none() | named(p) for p in declared)).map(lambda found: [p for p in found if p])
    other = (st.sampled_from(list(extras)).flatmap(named) if extras else st.nothing()) | st.tuples(
        st.text(min_size=1, max_size=12), st.sampled_from(HOSTILE))
    twice = st.lists(st.sampled_from(list(declared)).flatmap(named), max_size=1) if declared else st.just([])
    return st.builds(lambda a, b, c: [*a, *b, *c], own, st.lists(other, max_size=2), twice)


def encode(found: list[tuple[str, str]], raw: Sequence[str]) -> str:
    return "&".join(filter(None, [urlencode(found), *raw]))
