"""EXPLAIN pasted SQL (operators): plan it, or run it with ANALYZE, always rolled back, always audited.

Viewers see the page and what it does, without the form; forcing a POST gets 403. A statement from the
query history arrives as ``?statement=<seq>`` (the query page's EXPLAIN button): its text fills the
form, marked normalized when it has ``$n`` placeholders (a generic plan), for the operator to run.
"""

from __future__ import annotations

import re

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from dbconsole import audit, params
from dbconsole.access import OPERATOR, role_required
from dbconsole.htmx import is_htmx
from dbconsole.paramforms import ParamForm
from monitoring import selectors
from monitoring.explain.run import ExplainError, NeedsConfirmation, explain
from monitoring.explain.statement import StatementError
from monitoring.history.selectors import statements as history_statements
from monitoring.targets.connect import TargetError
from monitoring.ui.frame import frame

TEMPLATE = "monitoring/explain.html"
REGION = "result"
AUDITED_SQL_CHARS = 4000
STATEMENT: params.Int[int | None] = params.Int("statement", default=None, minimum=1)


class ExplainForm(ParamForm):
    sql = forms.CharField(label="SQL", max_length=100_000, strip=False,
                          widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false",
                                                       "placeholder": "SELECT … FROM … WHERE …"}))
    analyze = forms.BooleanField(required=False, label="ANALYZE — run it (rolled back) and show actual rows and times")
    confirm_writes = forms.BooleanField(
        required=False,
        label="I understand ANALYZE executes this statement; run it in a transaction that is rolled back")
    normalized = forms.BooleanField(
        required=False, label="The text is normalized ($1, $2… stand for constants): show the generic plan")


@require_GET
def explain_page(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    context = frame(request, obj, "explain")
    initial = _from_history(obj.pk, STATEMENT.get(request))
    context.update(form=ExplainForm(initial=initial), from_statement=initial.get("seq"))
    return render(request, TEMPLATE, context)


def _from_history(target_id: int, seq: int | None) -> dict[str, object]:
    """The form's prefill for ``?statement=<seq>``; 404 when the statement is not this target's."""
    if seq is None:
        return {}
    found = history_statements.statement(target_id, seq)
    if found is None:
        raise Http404("no such statement on this target")
    text = history_statements.query_text(found.pk)
    return {"sql": text, "normalized": bool(re.search(r"\$\d", text)), "seq": found.seq}


@require_POST
@role_required(OPERATOR)
def explain_run(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    form = ExplainForm.from_request(request)
    context = frame(request, obj, "explain")
    context["form"] = form
    if not form.is_valid():
        return _respond(request, context, status=400)
    data = form.cleaned_data
    analyze = bool(data["analyze"])
    details = {"sql": data["sql"][:AUDITED_SQL_CHARS], "analyze": analyze,
               "normalized": bool(data["normalized"]), "confirmed_writes": bool(data["confirm_writes"])}
    action = "explain.analyze" if analyze else "explain.run"
    try:
        outcome = explain(obj, data["sql"], analyze=analyze, normalized=bool(data["normalized"]),
                          confirm_writes=bool(data["confirm_writes"]))
    except NeedsConfirmation as exc:
        # Nothing ran: no audit entry until the operator confirms.
        context.update(needs_confirmation=str(exc))
        return _respond(request, context, status=200)
    except StatementError as exc:
        context.update(input_error=str(exc))
        return _respond(request, context, status=200 if is_htmx(request) else 400)
    except (ExplainError, TargetError) as exc:
        audit.record(action, request=request, target=obj, ok=False, error=str(exc), **details)
        context.update(explain_error=exc)
        return _respond(request, context, status=200)
    audit.record(action, request=request, target=obj, ok=True, kind=outcome.statement.kind,
                 generic=outcome.generic, writable=outcome.writable,
                 execution_ms=outcome.plan.execution_ms, **details)
    context.update(outcome=outcome, plan=outcome.plan)
    return _respond(request, context, status=200)


def _respond(request: HttpRequest, context: dict[str, object], *, status: int) -> HttpResponse:
    template = f"{TEMPLATE}#{REGION}" if is_htmx(request) else TEMPLATE
    return render(request, template, context, status=status if not is_htmx(request) else 200)
