"""Cancel or terminate a backend: the body and the outcome."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.serializers import fields


class SignalSerializer(serializers.Serializer[Any]):
    backend_start = fields.StrictDateTimeField(
        help_text="The backend's backend_start, as the activity listing shows it: only that exact session is "
                  "signalled, never a later one that reused the pid.")


class SignalResultSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(["cancel", "terminate"])
    pid = serializers.IntegerField()
    signalled = serializers.BooleanField()
    message = serializers.CharField()


class BackendSerializer(serializers.Serializer[Any]):
    pid = serializers.IntegerField()
    leader_pid = serializers.IntegerField(allow_null=True)
    database = serializers.CharField(source="datname", allow_null=True)
    user = serializers.CharField(source="usename", allow_null=True)
    application_name = serializers.CharField(allow_null=True)
    client_addr = serializers.CharField(allow_null=True)
    backend_type = serializers.CharField(allow_null=True)
    state = serializers.CharField(allow_null=True)
    wait_event_type = serializers.CharField(allow_null=True)
    wait_event = serializers.CharField(allow_null=True)
    backend_start = serializers.DateTimeField(allow_null=True, help_text="Pass it back to cancel or terminate.")
    xact_start = serializers.DateTimeField(allow_null=True)
    query_start = serializers.DateTimeField(allow_null=True)
    state_change = serializers.DateTimeField(allow_null=True)
    query_id = serializers.IntegerField(allow_null=True)
    query = serializers.CharField(allow_null=True)
