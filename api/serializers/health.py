"""A target's health: the worst status and every check, each a four-state verdict (``dbconsole.verdicts``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from dbconsole.verdicts import STATUSES


class BoundSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="The threshold's key (README: Severity thresholds).")
    level = serializers.ChoiceField(["warning", "critical"], help_text="The level this bound starts.")
    value = serializers.FloatField()
    unit = serializers.CharField()
    below = serializers.BooleanField(help_text="Reached by falling under it (a cache hit ratio).")


class HealthCheckSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(list(STATUSES), help_text="unknown: we cannot see (fix says how to).")
    value = serializers.FloatField(allow_null=True, help_text="What was graded, in the threshold's unit.")
    threshold = BoundSerializer(allow_null=True, help_text="The bound that applied; null without a threshold.")
    summary = serializers.CharField()
    fix = serializers.CharField(help_text="The grant, setting or action; empty when ok.")


class HealthSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(list(STATUSES), help_text="The worst of the checks.")
    checks = HealthCheckSerializer(many=True, help_text="Worst first.")
