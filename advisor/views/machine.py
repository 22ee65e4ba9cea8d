"""Machine facts of a target — RAM, CPUs, storage, how long to watch an index before calling it
unused — which the advisor needs and PostgreSQL cannot tell. Everyone may read them; reviewers edit
them; every change is audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from advisor import selectors
from advisor.models import MachineFacts
from advisor.views.forms import MachineFactsForm
from dbconsole import audit
from dbconsole.access import REVIEWER, has_role
from monitoring import selectors as monitoring_selectors
from monitoring.models import Target
from monitoring.ui.frame import frame

TEMPLATE = "advisor/machine.html"


@require_http_methods(["GET", "POST"])
def machine_view(request: HttpRequest, target: str) -> HttpResponse:
    obj = monitoring_selectors.target_by_name(target)
    facts = selectors.machine_facts(obj)
    if request.method == "POST":
        if not has_role(request.user, REVIEWER):
            raise PermissionDenied("editing machine facts needs the reviewer role")
        form = MachineFactsForm(request.POST)
        if form.is_valid():
            _save(request, obj, facts, form)
            messages.success(request, "Machine facts saved; the configuration rules use them from the next run.")
            return redirect("advisor-machine", obj.name)
        status = 400
    else:
        form = MachineFactsForm(initial=MachineFactsForm.initial_from(facts))
        status = 200
    context = frame(request, obj, "advisor")
    context.update(form=form, facts=facts)
    return render(request, TEMPLATE, context, status=status)


def _save(request: HttpRequest, target: Target, facts: MachineFacts | None, form: MachineFactsForm) -> None:
    data = form.cleaned_data
    new = {"ram_bytes": form.ram_bytes(), "cpus": data["cpus"], "storage": data["storage"] or "",
           "min_observation_days": data["min_observation_days"], "notes": data["notes"]}
    with transaction.atomic():
        before = {k: getattr(facts, k) for k in new} if facts is not None else {}
        record = facts or MachineFacts(target=target)
        for key, value in new.items():
            setattr(record, key, value)
        record.updated_at = timezone.now()
        record.updated_by = request.user if request.user.is_authenticated else None
        record.save()
        audit.record("advisor.machine_facts", request=request, target=target,
                     before=before, after=new)
