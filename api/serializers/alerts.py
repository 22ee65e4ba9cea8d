"""Alerts (an episode of one rule on one target, with the state the pages show), silences, and the
acknowledgement body."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alerts import selectors
from api.serializers import fields

STRINGS = serializers.DictField(child=serializers.CharField())
ALERT_STATES = (*selectors.LISTED_STATES, "cleared")


class AlertSerializer(serializers.Serializer[Any]):
    """Serializes an ``alerts.selectors.AlertRow``."""

    id = serializers.IntegerField(source="alert.pk")
    rule = serializers.CharField(source="alert.alertname", help_text="The rule's key: the alertname label.")
    target = serializers.CharField(source="alert.target.name")
    severity = serializers.ChoiceField(selectors.SEVERITIES, source="alert.severity")
    state = serializers.ChoiceField(ALERT_STATES, source="status",
                                    help_text="firing, pending, silenced (by a silence or maintenance window), "
                                              "inhibited (its target is down), resolved; cleared: ended while "
                                              "pending, nobody was told.")
    instance = serializers.CharField(source="alert.instance", help_text="What the rule found within the target "
                                                                        "(a collector, a root pid, a slot).")
    labels = serializers.SerializerMethodField(help_text="alertname, target, severity and the rule's own labels.")
    annotations = serializers.SerializerMethodField(
        help_text="summary, description (the cause attached), runbook, runbook_url, title and the rule's details.")
    summary = serializers.CharField(source="alert.summary")
    value = serializers.FloatField(source="alert.value", allow_null=True, help_text="The value graded.")
    fingerprint = serializers.CharField(source="alert.fingerprint",
                                        help_text="The same from firing to resolved, and for later episodes.")
    started_at = serializers.DateTimeField(source="alert.started_at", help_text="First seen (pending from then).")
    fired_at = serializers.DateTimeField(source="alert.fired_at", allow_null=True)
    resolved_at = serializers.DateTimeField(source="alert.resolved_at", allow_null=True)
    last_seen_at = serializers.DateTimeField(source="alert.last_seen_at")
    duration_seconds = serializers.FloatField(help_text="Firing (or pending) for so long; resolved: how long it "
                                                        "fired.")
    flapping = serializers.BooleanField(source="alert.flapping")
    acknowledged_at = serializers.DateTimeField(source="alert.acknowledged_at", allow_null=True)
    acknowledged_by = serializers.SerializerMethodField()
    ack_comment = serializers.CharField(source="alert.ack_comment")
    silence = serializers.SerializerMethodField(help_text="The id of the silence keeping it quiet, if any.")
    link = serializers.SerializerMethodField(help_text="The page that explains it (path).")
    url = serializers.SerializerMethodField(help_text="The page that explains it (DBCONSOLE_EXTERNAL_URL + link), "
                                                      "as the webhook's generatorURL.")

    @extend_schema_field(STRINGS)
    def get_labels(self, row: selectors.AlertRow) -> dict[str, str]:
        return {str(k): str(v) for k, v in row.alert.labels.items()}

    @extend_schema_field(STRINGS)
    def get_annotations(self, row: selectors.AlertRow) -> dict[str, str]:
        return {str(k): str(v) for k, v in row.alert.annotations.items()}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_acknowledged_by(self, row: selectors.AlertRow) -> str | None:
        user = row.alert.acknowledged_by
        return user.get_username() if user is not None else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_silence(self, row: selectors.AlertRow) -> int | None:
        return row.silence.pk if row.silence is not None else None

    @extend_schema_field(serializers.CharField())
    def get_link(self, row: selectors.AlertRow) -> str:
        return row.alert.link or f"/t/{row.alert.target.name}/alerts/"

    @extend_schema_field(serializers.CharField())
    def get_url(self, row: selectors.AlertRow) -> str:
        return f"{settings.EXTERNAL_URL}{self.get_link(row)}"


class SilenceSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    kind = serializers.ChoiceField(["silence", "maintenance"])
    status = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField(help_text="null: every target.")
    rule = serializers.CharField(help_text="Empty: every rule.")
    labels = serializers.SerializerMethodField(help_text="Extra label matchers (exact values).")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    expired_at = serializers.DateTimeField(allow_null=True, help_text="Ended early by an operator.")
    comment = serializers.CharField()
    created_by = serializers.CharField(source="created_by_name")
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ChoiceField(selectors.SILENCE_STATUSES))
    def get_status(self, silence: Any) -> str:
        return selectors.silence_status(silence, self.context["now"])

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_target(self, silence: Any) -> str | None:
        return silence.target.name if silence.target is not None else None

    @extend_schema_field(STRINGS)
    def get_labels(self, silence: Any) -> dict[str, str]:
        return {str(k): str(v) for k, v in (silence.labels or {}).items()}


class AcknowledgeSerializer(serializers.Serializer[Any]):
    comment = fields.StrictCharField(max_length=2000, required=False, default="", allow_blank=True,
                                     help_text="What you are doing about it (in the audit log and on the page).")
