"""Shapes every listing shares: the page envelope and the time range read."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from dbconsole.timerange import TimeRange


class RangeSerializer(serializers.Serializer[Any]):
    start = serializers.DateTimeField(help_text="Start of the range read.")
    end = serializers.DateTimeField(help_text="End of the range read.")
    preset = serializers.CharField(allow_null=True, help_text="1h, 6h, 24h, 7d or 30d; null for from/to.")


def range_json(time_range: TimeRange) -> dict[str, Any]:
    return dict(RangeSerializer(time_range).data)


def paged(name: str, item: type[serializers.Serializer[Any]], *, ranged: bool = False,
          extra: dict[str, serializers.Field[Any, Any, Any, Any]] | None = None) -> type[serializers.Serializer[Any]]:
    """A page of ``item``s: ``results``, ``next_cursor``, ``next`` (+ ``range`` and ``extra`` fields)."""
    fields: dict[str, Any] = {
        "results": item(many=True),
        "next_cursor": serializers.CharField(allow_null=True, help_text="Pass as ?cursor= for the next page."),
        "next": serializers.URLField(allow_null=True, help_text="The next page's URL; null on the last page."),
    }
    if ranged:
        fields["range"] = RangeSerializer(help_text="The time range this listing reads (pinned across pages).")
    fields.update(extra or {})
    return type(name, (serializers.Serializer,), fields)
