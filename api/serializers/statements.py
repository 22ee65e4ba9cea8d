"""Statements over a range (the Queries page), one statement, and its series."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class StatementSerializer(serializers.Serializer[Any]):
    seq = serializers.IntegerField(help_text="The statement's number on this target (stable).")
    queryid = serializers.IntegerField(help_text="pg_stat_statements queryid (signed 64-bit).")
    database = serializers.CharField(source="datname")
    user = serializers.CharField(source="usename")
    toplevel = serializers.BooleanField()
    query = serializers.CharField(source="preview", help_text="The text, cut to 300 characters.")
    calls = serializers.IntegerField()
    plans = serializers.IntegerField()
    total_ms = serializers.FloatField(help_text="Execution + planning time in the range.")
    mean_ms = serializers.FloatField(help_text="Execution time per call.")
    exec_ms = serializers.FloatField()
    plan_ms = serializers.FloatField()
    rows = serializers.IntegerField()
    shared_blks_hit = serializers.IntegerField()
    shared_blks_read = serializers.IntegerField()
    shared_blks_dirtied = serializers.IntegerField()
    shared_blks_written = serializers.IntegerField()
    temp_blks_read = serializers.IntegerField()
    temp_blks_written = serializers.IntegerField()
    hit_ratio = serializers.FloatField(allow_null=True, help_text="Share of blocks found in shared buffers.")
    io_read_ms = serializers.FloatField()
    io_write_ms = serializers.FloatField()
    wal_bytes = serializers.IntegerField()


class StatementDetailSerializer(serializers.Serializer[Any]):
    seq = serializers.IntegerField()
    queryid = serializers.IntegerField()
    database = serializers.CharField(source="datname")
    user = serializers.CharField(source="usename")
    toplevel = serializers.BooleanField()
    text = serializers.CharField(help_text="The whole normalized text.")
    totals = StatementSerializer(allow_null=True, help_text="Totals over the range; null if it never ran in it.")


class StatementPointSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField(help_text="End of the bucket.")
    seconds = serializers.FloatField(help_text="Length of the bucket.")
    calls = serializers.IntegerField()
    plan_ms = serializers.FloatField()
    exec_ms = serializers.FloatField()
    mean_ms = serializers.FloatField()
    rows = serializers.IntegerField()
    shared_blks_hit = serializers.IntegerField()
    shared_blks_read = serializers.IntegerField()
    temp_blks_read = serializers.IntegerField()
    temp_blks_written = serializers.IntegerField()
    io_read_ms = serializers.FloatField()
    io_write_ms = serializers.FloatField()
    wal_bytes = serializers.IntegerField()
