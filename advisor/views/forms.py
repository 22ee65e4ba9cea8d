"""Forms of the advisor's pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from advisor.models import Storage
from advisor.review.decisions import TRANSITIONS
from dbconsole.paramforms import ParamForm

GIB = 1024 ** 3


class DecisionForm(ParamForm):
    action = forms.ChoiceField(choices=[(a, a) for a in TRANSITIONS])
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            help_text="Snoozed until the start of this day.")
    comment = forms.CharField(required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))

    def until_datetime(self) -> dt.datetime | None:
        day = self.cleaned_data.get("until")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class CommentForm(ParamForm):
    text = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class MachineFactsForm(ParamForm):
    ram_gb = forms.DecimalField(label="RAM (GiB)", required=False, min_value=Decimal("0.25"),
                                max_value=Decimal(65536), decimal_places=2)
    cpus = forms.IntegerField(label="CPU cores", required=False, min_value=1, max_value=4096)
    storage = forms.ChoiceField(label="Storage", required=False, choices=[("", "unknown"), *Storage.choices])
    min_observation_days = forms.IntegerField(
        label="Days of index statistics before an index counts as unused", required=False, min_value=1,
        max_value=3650, help_text="Empty: the default (DBCONSOLE_ADVISOR_MIN_OBSERVATION_DAYS). More when a monthly "
                                  "job uses indexes nothing else does.")
    notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def initial_from(cls, facts: Any) -> dict[str, Any]:
        if facts is None:
            return {}
        return {"ram_gb": round(Decimal(facts.ram_bytes) / GIB, 2) if facts.ram_bytes else None,
                "cpus": facts.cpus, "storage": facts.storage, "min_observation_days": facts.min_observation_days,
                "notes": facts.notes}

    def ram_bytes(self) -> int | None:
        value = self.cleaned_data.get("ram_gb")
        return int(value * GIB) if value is not None else None


class LintForm(ParamForm):
    sql = forms.CharField(label="SQL migration", max_length=500_000, strip=False,
                          widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false",
                                                       "placeholder": "ALTER TABLE … ;\nCREATE INDEX … ;"}))
    in_transaction = forms.BooleanField(
        required=False, label="The migration runs inside one transaction (e.g. an atomic Django migration)")
