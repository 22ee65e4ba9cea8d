"""Settings: the current values, what is waiting for a restart, and every change seen in the range (what,
when it was noticed, old → new).

The current values show those not at their default (a few dozen of some 400: what someone chose) unless
``?all=1`` asks for every one, non-defaults still first; a search or a source filter looks through
every setting, since the setting one looks up may well be at its default.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dbconsole import params
from dbconsole.formatting import readable_setting
from monitoring import selectors
from monitoring.history.selectors.configuration import (
    settings_changes,
    settings_count,
    settings_current,
    settings_pending_restart,
)
from monitoring.models import CollectorStatus
from monitoring.ui.frame import frame
from monitoring.ui.tables import Column, Table

TEMPLATE = "monitoring/settings.html"
SHOW_ALL = params.Flag("all", soft=True)   # every setting, not only the non-defaults

CURRENT_COLUMNS = [
    Column("name", "Setting", search=True),
    Column("setting", "Value", search=True, sortable=False),
    Column("unit", "Unit", sortable=False),
    Column("readable", "Readable", sortable=False, csv=False,
           get=lambda s: readable_setting(s.setting, s.unit)),
    Column("source", "Source", choices=True),
    Column("category", "Category", choices=True),
    Column("boot_val", "Default", sortable=False),
    Column("pending_restart", "Pending restart", get=lambda s: "yes" if s.pending_restart else ""),
]
CHANGE_COLUMNS = [
    Column("detected_at", "Noticed at", numeric=True),
    Column("name", "Setting", search=True, choices=True),
    Column("old_value", "Old value", sortable=False),
    Column("new_value", "New value", sortable=False),
    Column("unit", "Unit", sortable=False),
    Column("source", "Source now", choices=True),
]


@require_GET
def settings_page(request: HttpRequest, target: str) -> HttpResponse:
    obj = selectors.target_by_name(target)
    context = frame(request, obj, "settings")
    time_range = context["time_range"]
    show_all = SHOW_ALL.get(request)
    looking_up = params.given(request, *(f"settings-{key}" for key in ("q", "source", "category")))
    non_default = not (show_all or looking_up)
    values = settings_current(obj.pk, non_default=non_default)
    # Sorted by a column when asked; otherwise as read, non-defaults first.
    current = Table(request, CURRENT_COLUMNS, values, default_sort="", prefix="settings")
    changes = Table(request, CHANGE_COLUMNS, settings_changes(obj.pk, time_range.start, time_range.end),
                    default_sort="-detected_at", prefix="changes")
    for table, name in ((current, "settings"), (changes, "settings-changes")):
        if table.wants_csv:
            return table.csv_response(f"{obj.name}-{name}")
    status = CollectorStatus.objects.filter(target=obj, collector="settings").first()
    toggle = request.GET.copy()
    for key in ("csv", "all", "nondefault"):
        toggle.pop(key, None)
    if not show_all:
        toggle["all"] = "1"
    context.update(
        current=current, changes=changes, non_default=non_default, show_all=show_all,
        toggle_query=toggle.urlencode(), pending=settings_pending_restart(obj.pk), status=status,
        shown=len(values), every=len(values) if not non_default else settings_count(obj.pk),
    )
    return render(request, TEMPLATE, context)
