"""Targets with their collection status; the add and check bodies."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.serializers import fields
from monitoring.targets.service import NAME_RE

LEVELS = ["ok", "info", "warn", "error"]
COLLECTION = ["ok", "failing", "never"]


class CollectorSerializer(serializers.Serializer[Any]):
    collector = serializers.CharField()
    status = serializers.CharField(help_text="ok, partial, never, or why it failed (unreachable, timeout, …).")
    reason = serializers.CharField()
    hint = serializers.CharField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    last_success_at = serializers.DateTimeField(allow_null=True)
    last_error_at = serializers.DateTimeField(allow_null=True)
    last_duration_ms = serializers.FloatField(allow_null=True)
    consecutive_failures = serializers.IntegerField()


class TargetSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    host = serializers.CharField()
    port = serializers.IntegerField()
    dbname = serializers.CharField()
    username = serializers.CharField()
    sslmode = serializers.CharField()
    enabled = serializers.BooleanField()
    tags = serializers.ListField(child=serializers.CharField())
    server_version_num = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(COLLECTION,
                                     help_text="ok: every collector that ran succeeded; failing: one or more "
                                               "fail; never: nothing collected yet.")
    last_collection_at = serializers.DateTimeField(allow_null=True, help_text="Latest success of any collector.")
    collectors = CollectorSerializer(many=True)
    url = serializers.URLField()


class AddTargetSerializer(serializers.Serializer[Any]):
    name = fields.StrictRegexField(NAME_RE.pattern, max_length=63,
                                  help_text="1-63 lowercase letters, digits, '-' or '_'.")
    dsn = fields.StrictCharField(max_length=1000, trim_whitespace=True,
                                help_text="postgresql://user:password@host:5432/db (the password is stored "
                                          "encrypted and never shown).")
    discover = fields.StrictBooleanField(default=False, help_text="Add every connectable database of the server.")
    tags = serializers.ListField(child=fields.StrictCharField(max_length=40), max_length=20, default=list)


class FindingSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    level = serializers.ChoiceField(LEVELS)
    detail = serializers.CharField()
    hint = serializers.CharField()


class TargetCheckSerializer(serializers.Serializer[Any]):
    connected = serializers.BooleanField()
    server_version_num = serializers.IntegerField(allow_null=True)
    worst = serializers.ChoiceField(LEVELS)
    findings = FindingSerializer(many=True)
