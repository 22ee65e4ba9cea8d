"""Reads for the monitoring pages. Views stay thin; every query lives here."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from monitoring.models import Target


def target_by_name(name: str) -> Target:
    return get_object_or_404(Target, name=name)


def all_targets() -> QuerySet[Target]:
    return Target.objects.order_by("name")
