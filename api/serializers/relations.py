"""Indexes (with the Indexes page's flags) and tables (sizes, growth, bloat, maintenance, with grades)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

GRADES = ["ok", "info", "warning", "critical", "unknown"]


class IndexSerializer(serializers.Serializer[Any]):
    seq = serializers.IntegerField()
    name = serializers.CharField(help_text="schema.index")
    table = serializers.CharField(help_text="schema.table")
    definition = serializers.CharField()
    is_valid = serializers.BooleanField()  # type: ignore[assignment]  # a field: the metaclass takes it off the class
    protected = serializers.CharField(help_text="Why it must stay (primary key, unique, constraint), or empty.")
    bytes = serializers.IntegerField()
    scans = serializers.IntegerField(allow_null=True, help_text="Scans in the range; null until sampled twice.")
    scans_total = serializers.IntegerField(help_text="Scans since the server's statistics were reset.")
    counted_since = serializers.DateTimeField(allow_null=True)
    last_used = serializers.DateTimeField(allow_null=True)
    last_used_note = serializers.CharField()
    est_bloat_bytes = serializers.IntegerField(allow_null=True)
    exact_bloat_bytes = serializers.IntegerField(allow_null=True)
    duplicate_of = serializers.ListField(child=serializers.CharField())
    covered_by = serializers.ListField(child=serializers.CharField())
    unused = serializers.BooleanField()
    drop = serializers.BooleanField(help_text="A drop candidate: unused, duplicate or redundant, and not protected.")
    flags = serializers.SerializerMethodField(help_text="invalid, unused, duplicate, redundant, drop candidate.")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_flags(self, r: Any) -> list[str]:
        return [word for word, on in (("invalid", not r.is_valid), ("unused", r.unused),
                                      ("duplicate", bool(r.duplicate_of)), ("redundant", bool(r.covered_by)),
                                      ("drop candidate", r.drop)) if on]


class TableSerializer(serializers.Serializer[Any]):
    seq = serializers.IntegerField()
    name = serializers.CharField(help_text="schema.table")
    kind = serializers.CharField(help_text="table, partitioned table or materialized view.")
    captured_at = serializers.DateTimeField()
    total_bytes = serializers.IntegerField()
    heap_bytes = serializers.IntegerField()
    toast_bytes = serializers.IntegerField()
    index_bytes = serializers.IntegerField()
    growth_7d_bytes = serializers.IntegerField(allow_null=True)
    growth_30d_bytes = serializers.IntegerField(allow_null=True)
    growth_since = serializers.DateTimeField(allow_null=True)
    est_bloat_bytes = serializers.IntegerField(allow_null=True)
    exact_bloat_bytes = serializers.IntegerField(allow_null=True)
    bloat_measured_at = serializers.DateTimeField(allow_null=True)
    bloat_ratio = serializers.FloatField(allow_null=True, help_text="Bloat (exact if measured) / heap.")
    n_live_tup = serializers.IntegerField()
    n_dead_tup = serializers.IntegerField()
    dead_ratio = serializers.FloatField()
    last_vacuumed = serializers.DateTimeField(allow_null=True)
    last_analyzed = serializers.DateTimeField(allow_null=True)
    xid_age = serializers.IntegerField(allow_null=True)
    mxid_age = serializers.IntegerField(allow_null=True)
    bloat = serializers.ChoiceField(GRADES, help_text="Bloat graded with the target's thresholds.")
    wraparound = serializers.ChoiceField(GRADES, help_text="XID/MXID age graded against the freeze settings.")
    flags = serializers.ListField(child=serializers.CharField(), help_text="bloated, wraparound.")
