"""The one layer that reads every GET and POST parameter of the web pages.

A query string or a form is attacker-controlled input like any other: a NUL byte, ``²`` (a digit to
``str.isdigit()``, not to ``int()``), a number past 64 bits, a date in year 1 with a +14:00 offset. Each
parameter is declared once, next to the code that uses it, with its rule, and read through it::

    PAGE = params.Int("page", minimum=1, maximum=100_000, default=1, soft=True)
    page = PAGE.get(request)            # request.GET; PAGE.post(request) reads request.POST

Kinds: ``Int`` (ASCII digits only, within bounds), ``Text`` (no control characters but tab and line
breaks, length capped, optional pattern), ``Choice`` (one of a fixed set), ``Flag`` (``1`` / ``0``),
``Instant`` (ISO 8601, within 1900-9000 so that no time-zone conversion leaves Python's or PostgreSQL's
range), ``Date`` (the same for a day), ``IntList`` (``r=1&r=2`` or ``r=1,2``). Blank is absent; surrounding
whitespace is stripped; of repeated values the last counts (as ``QueryDict.get``), except for lists.

A parameter is wrong in one of two ways, by declaration:

* ``soft`` — it shapes the view (sort, filters, paging, toggles). The page still renders, with the
  default or the cleaned value (a too-long text cut, control characters removed, so a filter box keeps
  what was typed), and says above its content what it ignored and why (``errors(request)``, shown by
  ``base.html``) — like the time range, whose errors are the frame's "Time range ignored" banner.
* hard (the default) — it names an object or an action (``seq``, ``statement``, ``download``,
  ``format``). ``ParamError`` propagates and ``dbconsole.badrequest`` answers 400 with a message naming
  the parameter (as JSON for views marked ``@json_errors``). A well-formed value naming nothing is still
  the view's 404.

Forms posted by pages subclass ``ParamForm`` (a Django form whose fields get the same rules) and are
bound with ``MyForm.from_request(request)``; an invalid form re-renders with what the user typed.

Every declaration registers itself (``registered()``), and every read is recorded on its request
(``read_on(request)``): the property test in ``tests/dbconsole/test_no_5xx.py`` fuzzes each URL with the
parameters it reads, so a new parameter is fuzzed without a list to keep.
"""

from __future__ import annotations

import abc
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, QueryDict

INT4_MAX = 2**31 - 1          # PostgreSQL integer: seqs, pids
INT8_MAX = 2**63 - 1          # PostgreSQL bigint: primary keys
DEFAULT_MAX_LENGTH = 200
FORM_TEXT_MAX_LENGTH = 100_000
# No history is older or newer than this, and every conversion between time zones stays inside
# Python's datetime (years 1-9999) and PostgreSQL's timestamptz.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)

# Tab, line feed and carriage return can be typed or pasted; no other control character can, and NUL
# is what PostgreSQL refuses in text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INT = re.compile(r"-?[0-9]{1,19}")
_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?)?"
                      r"(Z|[+-][0-9]{2}:?[0-9]{2})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SLUG = r"[A-Za-z0-9_-]{1,63}"

T = TypeVar("T")
_UNSET: Any = object()


class ParamError(ValueError):
    """A parameter's value is unusable; ``message`` says why, fit for the page. A soft parameter uses
    ``fallback`` instead when one is given (the cleaned text, the valid ids), else its default."""

    def __init__(self, name: str, message: str, fallback: Any = _UNSET) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message
        self.fallback = fallback

    @property
    def used_part(self) -> bool:
        """A soft parameter used what it could of the value (a cut text, the valid ids)."""
        return self.fallback is not _UNSET


def _shown(raw: str) -> str:
    """The value in a message: short, and with no character a page would choke on."""
    cut = CONTROL.sub("\N{REPLACEMENT CHARACTER}", raw[:40])
    return repr(cut + ("…" if len(raw) > 40 else ""))


REGISTRY: dict[tuple[str, str], Param[Any]] = {}


@dataclass(frozen=True)
class Param(abc.ABC, Generic[T]):
    """One parameter: its name, what it is when absent, and how it is wrong (see the module docstring)."""

    name: str
    default: T
    soft: bool = False
    required: bool = False
    max_length: int = DEFAULT_MAX_LENGTH
    kind: ClassVar[str] = ""

    def __post_init__(self) -> None:
        REGISTRY[(self.name, self.kind)] = self

    @abc.abstractmethod
    def convert(self, raw: str) -> T:
        """The value of a non-blank, stripped ``raw`` of at most ``max_length`` characters; ParamError
        when there is none."""

    def read(self, data: Mapping[str, Any]) -> T:
        """The value in ``data`` (a QueryDict or a dict): the default when absent or blank."""
        raw = data.get(self.name)
        if raw is None or not str(raw).strip():
            if self.required:
                raise ParamError(self.name, "is required")
            return self.default
        raw = str(raw).strip()
        if len(raw) > self.max_length:
            return self.convert_long(raw)
        return self.convert(raw)

    def convert_long(self, raw: str) -> T:
        """A value longer than any valid one: converted cut just past the limit, so the error names it."""
        return self.convert(raw[:self.max_length + 1])

    def get(self, request: HttpRequest) -> T:
        """From the query string; a soft parameter's error is noted for the page, never raised."""
        return self._from(request, request.GET)

    def post(self, request: HttpRequest) -> T:
        """From the posted form."""
        return self._from(request, request.POST)

    def _from(self, request: HttpRequest, data: QueryDict) -> T:
        record(request, self)
        try:
            return self.read(data)
        except ParamError as exc:
            if not self.soft:
                raise
            _note(request, exc)
            return self.default if exc.fallback is _UNSET else exc.fallback


@dataclass(frozen=True)
class Int(Param[T]):
    """A whole number from ``minimum`` to ``maximum`` written with the digits 0-9 (not ``²``, which
    ``str.isdigit()`` accepts and ``int()`` refuses, nor other scripts' digits, which ``int()`` reads)."""

    minimum: int = 0
    maximum: int = INT4_MAX
    max_length: int = 20
    kind: ClassVar[str] = "int"

    def convert(self, raw: str) -> T:
        if not _INT.fullmatch(raw) or not self.minimum <= int(raw) <= self.maximum:
            raise ParamError(self.name, f"must be a whole number from {self.minimum} to {self.maximum}, "
                                        f"written with the digits 0-9 (not {_shown(raw)})")
        return int(raw)  # type: ignore[return-value]  # T is int or int | None


@dataclass(frozen=True)
class Text(Param[str]):
    """Text without control characters (tab and line breaks aside), at most ``max_length`` long, matching
    ``pattern`` when given. Soft: a too-long text is cut, control characters are removed."""

    default: str = ""
    pattern: str = ""
    kind: ClassVar[str] = "text"

    def convert(self, raw: str) -> str:
        if CONTROL.search(raw):
            raise ParamError(self.name, "may not contain control characters (NUL and the like)",
                             fallback=self._cleaned(CONTROL.sub("", raw)))
        if self.pattern and not re.fullmatch(self.pattern, raw):
            raise ParamError(self.name, f"must match {self.pattern} (not {_shown(raw)})")
        return raw

    def convert_long(self, raw: str) -> str:
        raise ParamError(self.name, f"was cut to {self.max_length} characters",
                         fallback=self._cleaned(raw[:self.max_length].strip()))

    def _cleaned(self, text: str) -> str:
        text = CONTROL.sub("", text)
        return text if not self.pattern or re.fullmatch(self.pattern, text) else self.default


@dataclass(frozen=True)
class Choice(Param[str]):
    """One of ``choices``, exactly."""

    default: str = ""
    choices: tuple[str, ...] = ()
    max_length: int = 100
    kind: ClassVar[str] = "choice"

    def convert(self, raw: str) -> str:
        if raw not in self.choices:
            listed = ", ".join(self.choices[:12]) + (", …" if len(self.choices) > 12 else "")
            raise ParamError(self.name, f"must be one of {listed} (not {_shown(raw)})")
        return raw


@dataclass(frozen=True)
class Flag(Param[bool]):
    """``1`` (on) or ``0`` (off); absent is off."""

    default: bool = False
    max_length: int = 5
    kind: ClassVar[str] = "flag"

    def convert(self, raw: str) -> bool:
        if raw not in ("1", "0"):
            raise ParamError(self.name, f"must be 1 or 0 (not {_shown(raw)})")
        return raw == "1"


@dataclass(frozen=True)
class Instant(Param[T]):
    """An ISO 8601 date and time (``2025-01-31T14:30``, seconds, fraction and offset optional), returned
    in UTC. Without an offset it is read in ``settings.TIME_ZONE`` when ``local``, else refused."""

    local: bool = True
    max_length: int = 40
    kind: ClassVar[str] = "instant"

    def convert(self, raw: str) -> T:
        example = "2025-01-31T14:30" + ("" if self.local else "+00:00")
        wrong = ParamError(self.name, f"is not a date and time like {example}: {_shown(raw)}")
        if not _INSTANT.fullmatch(raw):
            raise wrong
        try:
            value = dt.datetime.fromisoformat(raw.replace(" ", "T", 1))
        except ValueError:
            raise wrong from None
        if value.tzinfo is None:
            if not self.local:
                raise ParamError(self.name, f"needs a UTC offset, like {example}")
            value = value.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
        outside = ParamError(self.name, f"must lie between {EARLIEST.year} and {LATEST.year} ({_shown(raw)})")
        try:
            value = value.astimezone(dt.UTC)
        except OverflowError:   # 0001-01-01T00:00+14:00 is in year 0 in UTC
            raise outside from None
        if not EARLIEST <= value < LATEST:
            raise outside
        return value  # type: ignore[return-value]  # T is datetime or datetime | None


@dataclass(frozen=True)
class Date(Param[T]):
    """An ISO 8601 day (``2025-01-31``) between 1900 and 9000."""

    max_length: int = 10
    kind: ClassVar[str] = "date"

    def convert(self, raw: str) -> T:
        try:
            value = dt.date.fromisoformat(raw) if _DATE.fullmatch(raw) else None
        except ValueError:
            value = None
        if value is None:
            raise ParamError(self.name, f"is not a day like 2025-01-31: {_shown(raw)}")
        if not EARLIEST.date() <= value < LATEST.date():
            raise ParamError(self.name, f"must lie between {EARLIEST.year} and {LATEST.year}")
        return value  # type: ignore[return-value]


@dataclass(frozen=True)
class IntList(Param[list[int]]):
    """Whole numbers given as ``r=1&r=2`` or ``r=1,2``: distinct, in order, at most ``max_items``. Soft:
    the valid ones are kept."""

    default: list[int] = field(default_factory=list)
    minimum: int = 1
    maximum: int = INT8_MAX
    max_items: int = 50
    max_length: int = 2000
    kind: ClassVar[str] = "ids"

    def read(self, data: Mapping[str, Any]) -> list[int]:
        given = data.getlist(self.name) if isinstance(data, QueryDict) else [data.get(self.name) or ""]
        pieces = [p.strip() for raw in given for p in str(raw)[:self.max_length].split(",") if p.strip()]
        found: list[int] = []
        wrong = [p for p in pieces if not (_INT.fullmatch(p) and self.minimum <= int(p) <= self.maximum)]
        for piece in pieces:
            if piece not in wrong and int(piece) not in found:
                found.append(int(piece))
        if wrong:
            raise ParamError(self.name, f"takes whole numbers from {self.minimum} to {self.maximum} "
                                        f"(not {_shown(wrong[0])})", fallback=found[:self.max_items])
        if len(found) > self.max_items:
            raise ParamError(self.name, f"takes at most {self.max_items} numbers",
                             fallback=found[:self.max_items])
        if not found and self.required:
            raise ParamError(self.name, "is required")
        return found

    def convert(self, raw: str) -> list[int]:
        return self.read({self.name: raw})


def registered() -> list[Param[Any]]:
    """Every parameter declared so far (tables declare theirs when they are built)."""
    return list(REGISTRY.values())


# -- per request -------------------------------------------------------------------------------------

def record(request: HttpRequest, *declared: Param[Any]) -> None:
    """Note that ``request`` reads these parameters (``read_on``)."""
    seen = getattr(request, "dbconsole_params", None)
    if seen is None:
        seen = {}
        setattr(request, "dbconsole_params", seen)  # noqa: B010  (HttpRequest declares no such attribute)
    for param in declared:
        seen[param.name] = param


def given(request: HttpRequest, *names: str) -> bool:
    """Whether the query string gives any of these a value: to decide whether to carry them along to
    other links (their declarations read and check the values)."""
    return any(request.GET.get(name) for name in names)


def read_on(request: HttpRequest) -> dict[str, Param[Any]]:
    """The parameters this request has read so far, by name."""
    return dict(getattr(request, "dbconsole_params", None) or {})


def _note(request: HttpRequest, error: ParamError) -> None:
    noted = getattr(request, "dbconsole_param_errors", None)
    if noted is None:
        noted = []
        setattr(request, "dbconsole_param_errors", noted)  # noqa: B010
    if all(str(e) != str(error) for e in noted):
        noted.append(error)


def errors(request: HttpRequest) -> list[ParamError]:
    """What the page ignored (soft parameters that were unusable), for the page to say so."""
    return list(getattr(request, "dbconsole_param_errors", None) or [])


def json_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view whose errors are JSON (chart endpoints): a ParamError becomes a 400 in the shape the
    chart loader reads, ``{"error": {"status", "message", "hint"}}``."""
    view.param_errors_as_json = True  # type: ignore[attr-defined]
    return view
