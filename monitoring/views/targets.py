"""Admin pages to add, check and remove targets (the web twin of ``manage.py targets``)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from dbconsole.access import ADMIN, role_required
from dbconsole.paramforms import ParamForm
from monitoring import selectors
from monitoring.targets.connect import TargetError
from monitoring.targets.dsn import DsnError, parse_dsn
from monitoring.targets.service import TargetInputError, add_target, check_target, remove_target


class AddTargetForm(ParamForm):
    name = forms.SlugField(max_length=63)
    dsn = forms.CharField(
        label="Connection string", max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"placeholder": "postgresql://user:password@host:5432/db"}),
    )
    discover = forms.BooleanField(required=False, help_text="Add every connectable database of this server.")
    tags = forms.CharField(required=False, help_text="Comma-separated.")


@require_GET
@role_required(ADMIN)
def manage(request: HttpRequest) -> HttpResponse:
    return render(request, "monitoring/targets_manage.html",
                  {"targets": selectors.all_targets(), "form": AddTargetForm()})


@require_POST
@role_required(ADMIN)
def add(request: HttpRequest) -> HttpResponse:
    form = AddTargetForm.from_request(request)
    if form.is_valid():
        try:
            spec = parse_dsn(form.cleaned_data["dsn"])
            tags = [t.strip() for t in form.cleaned_data["tags"].split(",") if t.strip()]
            created = add_target(form.cleaned_data["name"], spec, discover=form.cleaned_data["discover"],
                                 actor=request.user, request=request, tags=tags)
        except (DsnError, TargetInputError) as exc:
            form.add_error(None, str(exc))
        except TargetError as exc:
            form.add_error(None, f"{exc.status}: {exc.message}. {exc.hint} — nothing was saved.")
        else:
            messages.success(request, "Added " + ", ".join(t.name for t in created))
            return redirect("targets-manage")
    return render(request, "monitoring/targets_manage.html",
                  {"targets": selectors.all_targets(), "form": form}, status=400)


@require_POST
@role_required(ADMIN)
def check(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    report = check_target(obj)
    return render(request, "monitoring/targets_manage.html#check-report", {"target": obj, "report": report})


@require_POST
@role_required(ADMIN)
def remove(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    remove_target(obj, actor=request.user, request=request)
    messages.success(request, f"Removed {target}")
    return redirect("targets-manage")
