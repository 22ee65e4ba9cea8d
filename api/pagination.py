"""Cursor pagination, the same for every list.

A cursor is signed (Django's signing, keyed by ``SECRET_KEY``) and carries the listing's scope (which
endpoint, which target), the query that produced the first page with its time range pinned to absolute
``from``/``to``, and the position after the last item returned. A tampered or foreign cursor is a 400.
The position is whatever the listing needs: an offset for lists ranked in the history store (statements,
indexes, recommendations), the last key for lists walked in key order (audit log, lock incidents).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from django.core import signing

from api.errors import invalid
from dbconsole.timerange import TimeRange

SALT = "dbconsole.api.cursor"


def encode(scope: str, raw: dict[str, str], position: Any) -> str:
    return signing.dumps({"s": scope, "q": raw, "p": position}, salt=SALT, compress=True)


def decode(scope: str, token: str) -> tuple[dict[str, str], Any]:
    try:
        payload = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise invalid("cursor", "the cursor is not one this server gave out") from None
    if not isinstance(payload, dict) or payload.get("s") != scope or not isinstance(payload.get("q"), dict):
        raise invalid("cursor", "the cursor belongs to another listing")
    raw = {str(k): str(v) for k, v in payload["q"].items()}
    return raw, payload.get("p")


def pinned(raw: dict[str, str], time_range: TimeRange | None) -> dict[str, str]:
    """The query with a relative range replaced by the absolute window the first page read."""
    if time_range is None:
        return dict(raw)
    out = {k: v for k, v in raw.items() if k not in ("range", "from", "to")}
    out["from"], out["to"] = time_range.start.isoformat(), time_range.end.isoformat()
    return out


def page(request: Any, scope: str, values: dict[str, Any], results: Iterable[Any], next_position: Any,
         **extra: Any) -> dict[str, Any]:
    """The envelope of every list: ``results``, ``next_cursor`` and ``next`` (a ready URL), or nulls on
    the last page; ``extra`` adds listing-wide fields (the range read, totals)."""
    cursor = None
    url = None
    if next_position is not None:
        cursor = encode(scope, pinned(values["_raw"], values.get("time_range")), next_position)
        query = {"cursor": cursor}
        if values.get("limit") is not None:
            query["limit"] = str(values["limit"])
        url = request.build_absolute_uri(request.path) + "?" + urlencode(query)
    return {**extra, "results": list(results), "next_cursor": cursor, "next": url}


def offset_of(values: dict[str, Any]) -> int:
    position = values.get("cursor")
    if position is None:
        return 0
    if not isinstance(position, int) or position < 0:
        raise invalid("cursor", "the cursor is not one this listing gave out")
    return position


def slice_page(items: Sequence[Any], values: dict[str, Any]) -> tuple[list[Any], int | None]:
    """One page of a list held in memory (already filtered and sorted), and the next offset."""
    start = offset_of(values)
    size = int(values["limit"])
    chunk = list(items[start:start + size])
    return chunk, (start + size if start + size < len(items) else None)


def keyset(values: dict[str, Any]) -> tuple[dt.datetime, int] | None:
    """A (time, id) position from a cursor: walking newest first, the next page starts after it."""
    position = values["cursor"]
    if position is None:
        return None
    try:
        at, pk = position
        return dt.datetime.fromisoformat(at), int(pk)
    except (TypeError, ValueError):
        raise invalid("cursor", "the cursor is not one this listing gave out") from None


def keyset_position(at: dt.datetime, pk: int) -> list[Any]:
    """What ``keyset`` reads back, as a cursor carries it."""
    return [at.isoformat(), pk]
