"""Reviewers decide on a recommendation (accept, dismiss with a reason, snooze until a date, reopen,
mark applied) and comment. Viewers get 403. htmx swaps the review panel; without htmx the browser is
redirected back to the permalink (post/redirect/get)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from advisor import selectors
from advisor.review.decisions import DecisionError, add_comment, decide
from advisor.views.forms import CommentForm, DecisionForm
from advisor.views.recommendations import DETAIL_TEMPLATE, detail_context
from dbconsole.access import REVIEWER, role_required
from dbconsole.htmx import is_htmx

REGION = "review"


def _respond(request: HttpRequest, target: str, pk: int, *, error: str = "", status: int = 200,
             decision_form: DecisionForm | None = None, comment_form: CommentForm | None = None) -> HttpResponse:
    if not error and not is_htmx(request):
        return redirect("advisor-detail", target, pk)
    rec = selectors.recommendation(target, pk)
    context = detail_context(request, rec)
    context["review_error"] = error
    if decision_form is not None and error:
        context["decision_form"] = decision_form
    if comment_form is not None and error:
        context["comment_form"] = comment_form
    template = f"{DETAIL_TEMPLATE}#{REGION}" if is_htmx(request) else DETAIL_TEMPLATE
    return render(request, template, context, status=status)


@require_POST
@role_required(REVIEWER)
def decide_view(request: HttpRequest, target: str, pk: int) -> HttpResponse:
    rec = selectors.recommendation(target, pk)
    form = DecisionForm.from_request(request)
    if not form.is_valid():
        errors = "; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items())
        return _respond(request, target, pk, error=errors, status=400, decision_form=form)
    data = form.cleaned_data
    try:
        decide(rec.pk, data["action"], request=request, comment=data["comment"], reason=data["reason"],
               until=form.until_datetime())
    except DecisionError as exc:
        return _respond(request, target, pk, error=str(exc), status=400, decision_form=form)
    return _respond(request, target, pk)


@require_POST
@role_required(REVIEWER)
def comment_view(request: HttpRequest, target: str, pk: int) -> HttpResponse:
    rec = selectors.recommendation(target, pk)
    form = CommentForm.from_request(request)
    if not form.is_valid():
        return _respond(request, target, pk, error="the comment is empty", status=400, comment_form=form)
    try:
        add_comment(rec.pk, form.cleaned_data["text"], request=request)
    except DecisionError as exc:
        return _respond(request, target, pk, error=str(exc), status=400, comment_form=form)
    return _respond(request, target, pk)
