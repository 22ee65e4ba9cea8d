"""Recommendations with their evidence, status and history; the decision, comment and draft shapes."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from advisor.models import Category, Severity, Status
from advisor.review.decisions import MAX_SNOOZE, TRANSITIONS
from advisor.review.drafting import DRAFTABLE
from api.serializers import fields

DRAFT_FORMATS = {"sql": "sql", "rollback": "rollback_sql", "django": "django", "alembic": "alembic"}


class RecommendationSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    kind_title = serializers.CharField()
    object = serializers.CharField(source="object_label")
    table = serializers.CharField()
    category = serializers.ChoiceField(Category.values)
    severity = serializers.ChoiceField(Severity.values)
    status = serializers.ChoiceField(Status.values)
    title = serializers.CharField()
    summary = serializers.CharField()
    benefit = serializers.CharField()
    cost = serializers.CharField()
    benefit_score = serializers.FloatField(allow_null=True)
    verified = serializers.BooleanField(allow_null=True, help_text="Index advice: checked with HypoPG.")
    has_draft = serializers.BooleanField(help_text="A migration draft can be made once it is accepted.")
    first_seen_at = serializers.DateTimeField()
    last_seen_at = serializers.DateTimeField()
    status_changed_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    snoozed_until = serializers.DateTimeField(allow_null=True)
    dismiss_reason = serializers.CharField()
    allowed_actions = serializers.SerializerMethodField()

    def get_allowed_actions(self, rec: Any) -> list[str]:
        return [action for action, (sources, _to) in TRANSITIONS.items() if rec.status in sources]


class DecisionEntrySerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor_name")
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    comment = serializers.CharField()
    details = serializers.JSONField()


class RecommendationDetailSerializer(RecommendationSerializer):
    evidence = serializers.JSONField(help_text="What the rule saw (numbers, statements, sizes).")
    changes = serializers.JSONField(help_text="The change specs a migration draft is built from.")
    history = serializers.SerializerMethodField(help_text="Decisions, comments and what the advisor did, oldest first.")

    @extend_schema_field(DecisionEntrySerializer(many=True))
    def get_history(self, rec: Any) -> list[dict[str, Any]]:
        return list(DecisionEntrySerializer(self.context.get("history", []), many=True).data)


class DecisionSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(list(TRANSITIONS), help_text="accept, dismiss, snooze, reopen or apply.")
    reason = fields.StrictCharField(max_length=2000, required=False, default="", allow_blank=True,
                                   help_text="Required to dismiss.")
    comment = fields.StrictCharField(max_length=5000, required=False, default="", allow_blank=True)
    until = fields.StrictDateTimeField(required=False, allow_null=True, default=None,
                                      help_text="Required to snooze: a moment within the next year.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["action"] == "dismiss" and not attrs["reason"].strip():
            raise serializers.ValidationError({"reason": "a dismissal needs a reason"})
        if attrs["action"] == "snooze":
            until = attrs["until"]
            if until is None:
                raise serializers.ValidationError({"until": "snoozing needs a date"})
            now = timezone.now()
            if until <= now:
                raise serializers.ValidationError({"until": "the snooze date must be in the future"})
            if until - now > MAX_SNOOZE:
                raise serializers.ValidationError({"until": "snooze for at most a year"})
        return attrs


class CommentSerializer(serializers.Serializer[Any]):
    text = fields.StrictCharField(max_length=5000, help_text="The comment (not empty).")


class ExcludedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    reason = serializers.CharField()


class DraftSerializer(serializers.Serializer[Any]):
    format = serializers.ChoiceField(list(DRAFT_FORMATS))
    filename = serializers.CharField()
    text = serializers.CharField(help_text="The migration (or rollback) as a file to review and run.")
    recommendations = serializers.ListField(child=serializers.IntegerField(), help_text="Included in the draft.")
    excluded = ExcludedSerializer(many=True)
    lint = serializers.JSONField(help_text="The migration linter's report on the SQL (on the rollback for it).")


class RunQueuedSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(["queued"])
    target = serializers.CharField()


DRAFTABLE_STATUSES = sorted(DRAFTABLE)
