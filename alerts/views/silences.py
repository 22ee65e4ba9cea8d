"""Silences and maintenance windows (operators create and end them; everyone sees them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from alerts import actions, selectors
from alerts.models import Silence
from alerts.rules import registry
from dbconsole import params
from dbconsole.access import OPERATOR, role_required
from dbconsole.paramforms import ParamForm
from monitoring.models import Target

# The board's 'silence this' links prefill the form.
PREFILL = (params.Text("target", max_length=100, soft=True), params.Text("rule", max_length=100, soft=True))


class SilenceForm(ParamForm):
    kind = forms.ChoiceField(choices=[(Silence.SILENCE, "silence"), (Silence.MAINTENANCE, "maintenance window")])
    target = forms.ModelChoiceField(queryset=Target.objects.order_by("name"), required=False,
                                    to_field_name="name", empty_label="every target")
    rule = forms.ChoiceField(required=False)
    labels = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Extra matchers, one key=value per line (e.g. collector=bloat).")
    starts_at = forms.DateTimeField(required=False, help_text="Empty: now. UTC, e.g. 2026-12-24 22:00.")
    duration = forms.CharField(max_length=10, initial="2h", help_text="30m, 2h, 1d …")
    comment = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rule = self.fields["rule"]
        assert isinstance(rule, forms.ChoiceField)
        rule.choices = [("", "every rule"), *((k, k) for k in registry())]

    def clean_labels(self) -> dict[str, str]:
        labels = {}
        for line in (self.cleaned_data.get("labels") or "").splitlines():
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise ValidationError(f"{line!r}: write key=value")
            labels[key.strip()] = value.strip()
        return labels


def _page(request: HttpRequest, form: SilenceForm, status: int = 200) -> HttpResponse:
    return render(request, "alerts/silences.html", {
        "form": form, "active": selectors.silences(active_only=True),
        "ended": [s for s in selectors.silences(active_only=False) if not s.active(timezone.now())
                  and s.starts_at <= timezone.now()][:50],
    }, status=status)


@require_GET
def silences(request: HttpRequest) -> HttpResponse:
    initial = {param.name: value for param in PREFILL if (value := param.get(request))}
    return _page(request, SilenceForm(initial=initial))


@require_POST
@role_required(OPERATOR)
def create(request: HttpRequest) -> HttpResponse:
    form = SilenceForm.from_request(request)
    if form.is_valid():
        data = form.cleaned_data
        try:
            silence = actions.create_silence(
                target=data["target"], rule=data["rule"], labels=data["labels"], starts_at=data["starts_at"],
                duration=actions.parse_duration(data["duration"]), comment=data["comment"], kind=data["kind"],
                request=request)
        except ValidationError as exc:
            form.add_error(None, "; ".join(exc.messages))
        else:
            messages.success(request, f"{silence.get_kind_display().capitalize()} until "
                                      f"{silence.ends_at:%Y-%m-%d %H:%M} UTC")
            return redirect("alerts-silences")
    return _page(request, form, status=400)


@require_POST
@role_required(OPERATOR)
def expire(request: HttpRequest, pk: int) -> HttpResponse:
    silence = get_object_or_404(Silence, pk=pk)
    actions.expire_silence(silence, request=request)
    messages.success(request, f"{silence.get_kind_display().capitalize()} {pk} ended")
    return redirect("alerts-silences")
