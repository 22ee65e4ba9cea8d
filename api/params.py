"""The one layer that reads and validates every query and path parameter of the API.

Each endpoint declares its parameters once (``Query(...)``); the same declaration validates the request
and describes the parameters in the OpenAPI schema, so the two never disagree. Whatever arrives —
NUL bytes, control characters, a parameter given twice or unknown, non-ASCII digits, a number beyond
64 bits, a date in year 1 or 9999 — is answered with a 400 in the API's error shape, naming the
parameter, before any query reaches the history store or a target.

Time ranges are read as the pages read them (``dbconsole.timerange``): ``range=1h|6h|24h|7d|30d`` or
ISO 8601 ``from``/``to``. Lists page with an opaque, signed ``cursor`` (``api.pagination``) that carries
the whole query — its filters and its range pinned to absolute times — so following ``next`` walks one
consistent listing even while time passes; with a cursor, only ``limit`` may be given besides it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from drf_spectacular.utils import OpenApiParameter

from api import pagination
from api.errors import invalid
from dbconsole.timerange import PRESETS, TimeRange, TimeRangeError

MAX_TEXT = 1000
INT4_MAX = 2**31 - 1
INT8_MAX = 2**63 - 1
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_INT = re.compile(r"^-?[0-9]{1,19}$")           # ASCII digits only: int() would read '١٢' too
_INSTANT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?"
                      r"(Z|[+-][0-9]{2}:?[0-9]{2})?$")
SLUG = r"^[A-Za-z0-9_-]{1,63}$"
_SLUG = re.compile(SLUG)


def clean_text(name: str, raw: str, max_length: int = MAX_TEXT) -> str:
    if len(raw) > max_length:
        raise invalid(name, f"{name} may have at most {max_length} characters")
    if _CONTROL.search(raw):
        raise invalid(name, f"{name} may not contain control characters (NUL, newlines, …)")
    return raw


def parse_int(name: str, raw: str, minimum: int, maximum: int) -> int:
    if not _INT.match(raw):
        raise invalid(name, f"{name} must be a whole number written with the digits 0-9")
    value = int(raw)
    if value < minimum or value > maximum:
        raise invalid(name, f"{name} must be between {minimum} and {maximum}")
    return value


def parse_instant(name: str, raw: str) -> None:
    """Only the shape is checked here; ``TimeRange.parse`` reads the value."""
    if not _INSTANT.match(raw):
        raise invalid(name, f"{name} must be an ISO 8601 date and time like 2025-01-31T14:30:00Z")
    try:
        value = dt.datetime.fromisoformat(raw.replace(" ", "T", 1).replace("Z", "+00:00"))
        if value.tzinfo is not None:
            value.astimezone(dt.UTC)
        else:
            value.replace(tzinfo=dt.UTC).astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise invalid(name, f"{name} is not a valid date and time: {raw[:40]!r}") from None


# -- declarations --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    default: Any = None
    required: bool = False
    convert: Callable[[str, str], Any] | None = None

    @property
    def free_text(self) -> bool:
        """A plain string, where an empty value means "no filter" (anything else must have a value)."""
        return self.schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(self.schema)

    def read(self, raw: str) -> Any:
        raw = clean_text(self.name, raw, int(self.schema.get("maxLength", MAX_TEXT)))
        return self.convert(self.name, raw) if self.convert else raw

    def openapi(self) -> OpenApiParameter:
        schema = dict(self.schema)
        if self.default is not None:
            schema["default"] = self.default
        return OpenApiParameter(self.name, type=schema, location=OpenApiParameter.QUERY, required=self.required,
                                description=self.description)


def Text(name: str, description: str, *, max_length: int = 200, pattern: str | None = None) -> Param:
    schema: dict[str, Any] = {"type": "string", "maxLength": max_length}
    if pattern:
        schema["pattern"] = pattern
        compiled = re.compile(pattern)

        def check(field_name: str, raw: str) -> str:
            if not compiled.match(raw):
                raise invalid(field_name, f"{field_name} must match {pattern}")
            return raw

        return Param(name, description, schema, convert=check)
    return Param(name, description, schema)


def Choice(name: str, description: str, choices: Sequence[str], default: str | None = None) -> Param:
    allowed = tuple(choices)

    def check(field_name: str, raw: str) -> str:
        if raw not in allowed:
            raise invalid(field_name, f"{field_name} must be one of {', '.join(allowed)}")
        return raw

    return Param(name, description, {"type": "string", "enum": list(allowed)}, default=default, convert=check)


def Int(name: str, description: str, *, minimum: int = 0, maximum: int = INT4_MAX,
        default: int | None = None) -> Param:
    def check(field_name: str, raw: str) -> int:
        return parse_int(field_name, raw, minimum, maximum)

    return Param(name, description, {"type": "integer", "minimum": minimum, "maximum": maximum},
                 default=default, convert=check)


def Flag(name: str, description: str) -> Param:
    def check(field_name: str, raw: str) -> bool:
        if raw not in ("true", "false", "1", "0"):
            raise invalid(field_name, f"{field_name} must be true or false")
        return raw in ("true", "1")

    return Param(name, description, {"type": "boolean"}, default=False, convert=check)


RANGE = Choice("range", "A relative time range ending now (default 24h); or give from/to.", tuple(PRESETS))
FROM = Param("from", "Start of a fixed time range, ISO 8601 (without an offset: the server's time zone).",
             {"type": "string", "format": "date-time", "maxLength": 40})
TO = Param("to", "End of a fixed time range, ISO 8601 (default: now).",
           {"type": "string", "format": "date-time", "maxLength": 40})
CURSOR = Param("cursor", "Opaque position from a previous page's next_cursor; it carries that page's query.",
               {"type": "string", "maxLength": 4000})


def limit(default: int = 50, maximum: int = 500) -> Param:
    return Int("limit", f"Items per page (1-{maximum}).", minimum=1, maximum=maximum, default=default)


# -- reading a request ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    """An endpoint's query parameters. ``read`` returns their values (defaults filled in) and, with
    ``ranged``, the resolved ``TimeRange`` under ``"time_range"``."""

    params: tuple[Param, ...] = ()
    ranged: bool = False
    paged: bool = False
    page_size: int = 50
    max_page_size: int = 500

    def all(self) -> list[Param]:
        out = list(self.params)
        if self.ranged:
            out += [RANGE, FROM, TO]
        if self.paged:
            out += [limit(self.page_size, self.max_page_size), CURSOR]
        return out

    def openapi(self) -> list[OpenApiParameter]:
        return [p.openapi() for p in self.all()]

    def read(self, query: QueryDict | Mapping[str, Any], scope: str = "") -> dict[str, Any]:
        """Validated values by name; ``"cursor"`` holds the decoded position (None on a first page) and,
        with ``ranged``, ``"time_range"`` the resolved range. ``scope`` ties cursors to one listing."""
        declared = {p.name: p for p in self.all()}
        raw: dict[str, str] = {}
        for key in query:
            clean_text("parameter name", key, 100)
            if key not in declared:
                raise invalid(key, f"unknown parameter {key!r}; this endpoint takes "
                                   f"{', '.join(declared) or 'none'}", code="unknown_parameter")
            given: list[Any] = query.getlist(key) if isinstance(query, QueryDict) else [query[key]]
            if len(given) > 1:
                raise invalid(key, f"{key} is given more than once")
            raw[key] = given[0]
        position: Any = None
        if self.paged and raw.get("cursor"):
            others = sorted(set(raw) - {"cursor", "limit"})
            if others:
                raise invalid(others[0], "a cursor carries its query: give only cursor (and limit) with it")
            carried, position = pagination.decode(scope, CURSOR.read(raw["cursor"]))
            raw = {**carried, **({"limit": raw["limit"]} if "limit" in raw else {})}
        values: dict[str, Any] = {}
        for name, param in declared.items():
            if name == "cursor":
                continue
            if name in raw and raw[name] != "":
                values[name] = param.read(raw[name])
            elif name in raw and not param.free_text:
                raise invalid(name, f"{name} is empty: leave it out for the default")
            elif param.required:
                raise invalid(name, f"{name} is required")
            else:
                values[name] = param.default
        values["cursor"] = position
        if self.ranged:
            values["time_range"] = read_range(raw)
        values["_raw"] = {k: v for k, v in raw.items() if k not in ("cursor", "limit") and v != ""}
        return values


def read_range(raw: Mapping[str, str]) -> TimeRange:
    for name in ("from", "to"):
        if raw.get(name):
            clean_text(name, raw[name], 40)
            parse_instant(name, raw[name].strip())
    if raw.get("range"):
        RANGE.read(raw["range"])
    try:
        return TimeRange.parse({k: raw[k] for k in ("range", "from", "to") if k in raw})
    except (TimeRangeError, OverflowError) as exc:
        message = str(exc)
        if raw.get("range") and (raw.get("from") or raw.get("to")):
            name = "range"
        elif "end" in message or "'to'" in message:
            name = "to"
        elif raw.get("from") or raw.get("to"):
            name = "from"
        else:
            name = "range"
        raise invalid(name, message or "the time range is out of bounds") from None


def target_name(raw: str) -> str:
    """A target name in a path: a slug of at most 63 characters (Target.name is a SlugField)."""
    if not _SLUG.match(raw):
        raise invalid("name", "a target name has 1-63 letters, digits, '-' or '_'")
    return raw


def path_int(name: str, raw: str, *, minimum: int = 0, maximum: int = INT4_MAX) -> int:
    return parse_int(name, raw, minimum, maximum)


def path_param(name: str, description: str, *, integer: bool = False, minimum: int = 0,
               maximum: int = INT4_MAX) -> OpenApiParameter:
    schema: dict[str, Any] = ({"type": "integer", "minimum": minimum, "maximum": maximum} if integer
                              else {"type": "string", "pattern": SLUG, "maxLength": 63})
    return OpenApiParameter(name, type=schema, location=OpenApiParameter.PATH, required=True, description=description)
