"""Paste a SQL migration, get the lint report: the lock each statement takes, what it blocks, and each
unsafe pattern with its safe alternative. Anyone signed in may use it; nothing is stored or run."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from advisor.lint import lint_sql
from advisor.views.forms import LintForm
from dbconsole.htmx import is_htmx

TEMPLATE = "advisor/lint.html"
REGION = "lint-result"


@require_http_methods(["GET", "POST"])
def lint_page(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, TEMPLATE, {"form": LintForm()})
    form = LintForm.from_request(request)
    context: dict[str, object] = {"form": form}
    status = 200
    if form.is_valid():
        report = lint_sql(form.cleaned_data["sql"], in_transaction=form.cleaned_data["in_transaction"])
        context["report"] = report.to_dict()
    else:
        status = 400
    template = f"{TEMPLATE}#{REGION}" if is_htmx(request) else TEMPLATE
    return render(request, template, context, status=status)
