"""Settings: current values (all, or those not at their default) and the change history.

* ``settings_current(target_id, non_default=False)`` → ``list[SettingValue]`` by name (``setting`` in
  ``unit``, as pg_settings shows it; ``source`` says where it comes from; ``pending_restart``).
* ``settings_changes(target_id, start, end)`` → ``list[SettingChange]`` newest first (old → new value;
  ``None`` when the setting did not exist on one side).
"""

from __future__ import annotations

import datetime as dt

from monitoring.models import SettingChange, SettingValue


def settings_current(target_id: int, non_default: bool = False) -> list[SettingValue]:
    qs = SettingValue.objects.filter(target_id=target_id).order_by("name")
    if non_default:
        qs = qs.exclude(source__in=["default", "override"])
    return list(qs)


def settings_changes(target_id: int, start: dt.datetime, end: dt.datetime) -> list[SettingChange]:
    return list(SettingChange.objects.filter(target_id=target_id, detected_at__gte=start, detected_at__lte=end)
                .order_by("-detected_at", "name"))
