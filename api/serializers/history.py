"""Lock incidents and their trees, connections over time, settings and their changes."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class LockIncidentSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField()
    duration_seconds = serializers.SerializerMethodField(help_text="From the first to the last sample seeing it.")
    root_pid = serializers.IntegerField()
    root_usename = serializers.CharField()
    root_application = serializers.CharField()
    root_state = serializers.CharField()
    root_query = serializers.CharField()
    relations = serializers.ListField(child=serializers.CharField())
    modes = serializers.ListField(child=serializers.CharField())
    max_waiters = serializers.IntegerField()
    max_depth = serializers.IntegerField()
    max_wait_seconds = serializers.FloatField()
    samples = serializers.IntegerField()

    @extend_schema_field(serializers.FloatField())
    def get_duration_seconds(self, incident: Any) -> float:
        return float((incident.last_seen_at - incident.started_at).total_seconds())


class LockSampleSerializer(serializers.Serializer[Any]):
    captured_at = serializers.DateTimeField()
    waiters = serializers.IntegerField()
    longest_wait_seconds = serializers.FloatField()
    tree = serializers.JSONField(help_text="The blocking session with its waiters nested under children.")


class ConnectionPointSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    max_connections = serializers.IntegerField()
    reserved_connections = serializers.IntegerField()
    usable = serializers.IntegerField()
    clients = serializers.FloatField(help_text="Client connections (hourly points: the average).")
    counts = serializers.DictField(child=serializers.FloatField(), help_text="The breakdown asked for (by=).")
    peak = serializers.DictField(child=serializers.FloatField(), help_text="Hourly maxima (empty for raw points).")


class SettingSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    setting = serializers.CharField()
    unit = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field: the metaclass takes it off the class
    category = serializers.CharField()
    vartype = serializers.CharField()
    boot_val = serializers.CharField()
    reset_val = serializers.CharField()
    pending_restart = serializers.BooleanField()
    is_default = serializers.BooleanField()
    updated_at = serializers.DateTimeField()


class SettingChangeSerializer(serializers.Serializer[Any]):
    detected_at = serializers.DateTimeField()
    name = serializers.CharField()
    old_value = serializers.CharField(allow_null=True, help_text="null: the setting did not exist before.")
    new_value = serializers.CharField(allow_null=True, help_text="null: the setting no longer exists.")
    unit = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field: the metaclass takes it off the class


class AuditEventSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_name")
    action = serializers.CharField()
    target = serializers.CharField(source="target_name")
    details = serializers.JSONField()
    remote_addr = serializers.CharField(allow_null=True)
