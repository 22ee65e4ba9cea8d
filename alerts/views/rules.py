"""Rules per target (admins): switch a rule off, change its ``for`` / ``keep_firing_for``, its
threshold levels (written to the target's thresholds, the one home of every grade) and parameters;
and the rules' documentation page every notification's ``runbook_url`` points at."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from alerts import actions, selectors
from alerts.rules import registry
from dbconsole import params
from dbconsole.access import ADMIN, role_required
from dbconsole.paramforms import ParamForm
from dbconsole.thresholds import DEFAULTS, LEVELS
from monitoring import selectors as monitoring_selectors
from monitoring.ui.frame import frame

RULE = params.Text("rule", max_length=100)


class RuleForm(ParamForm):
    enabled = forms.BooleanField(required=False)
    for_s = forms.IntegerField(required=False, min_value=0, max_value=7 * 86400, label="for (s)")
    keep_firing_s = forms.IntegerField(required=False, min_value=0, max_value=7 * 86400, label="keep firing for (s)")
    info = forms.FloatField(required=False, min_value=0)
    warning = forms.FloatField(required=False, min_value=0)
    critical = forms.FloatField(required=False, min_value=0)
    size_limit_bytes = forms.IntegerField(required=False, min_value=1)


@require_http_methods(["GET", "POST"])
@role_required(ADMIN)
def rule_settings(request: HttpRequest, target: str) -> HttpResponse:
    obj = monitoring_selectors.target_by_name(target)
    error: dict[str, Any] = {}
    if request.method == "POST":
        key = RULE.post(request)
        if key not in registry():
            raise Http404("no such rule")
        form = RuleForm.from_request(request)
        if form.is_valid():
            try:
                _save(request, obj, key, form.cleaned_data)
            except ValidationError as exc:
                error = {"rule": key, "messages": exc.messages}
            else:
                messages.success(request, f"Saved {key} for {obj.name}")
                return redirect("alerts-rules", obj.name)
        else:
            error = {"rule": key, "messages": [f"{f}: {', '.join(map(str, e))}" for f, e in form.errors.items()]}
    context = frame(request, obj, "alerts-target")
    context.update(rules=selectors.rule_rows(obj), error=error, levels=LEVELS)
    return render(request, "alerts/rules.html", context, status=400 if error else 200)


def _save(request: HttpRequest, target: Any, key: str, data: dict[str, Any]) -> None:
    rule = registry()[key]
    params = {"size_limit_bytes": data["size_limit_bytes"]} if data.get("size_limit_bytes") else {}
    actions.save_rule_setting(target=target, rule=key, enabled=bool(data["enabled"]), for_s=data["for_s"],
                              keep_firing_s=data["keep_firing_s"], params=params, request=request)
    if rule.threshold in DEFAULTS:
        levels = {level: data.get(level) for level in DEFAULTS[rule.threshold].levels}
        actions.save_thresholds(target, rule.threshold, levels, request=request)


@require_GET
def rule_docs(request: HttpRequest) -> HttpResponse:
    rows = []
    for key, rule in registry().items():
        threshold = DEFAULTS.get(rule.threshold or "")
        rows.append({"key": key, "rule": rule, "threshold": threshold})
    return render(request, "alerts/rule_docs.html", {"rows": rows})
