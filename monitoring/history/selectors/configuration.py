"""Settings: current values (all, or those not at their default) and the change history.

* ``settings_current(target_id, non_default=False)`` → ``list[SettingValue]``, non-defaults first, by
  name (``setting`` in ``unit``, as pg_settings shows it; ``source`` says where it comes from;
  ``pending_restart``); ``settings_count`` and ``settings_pending_restart`` for the page's toggle and
  banner.
* ``settings_changes(target_id, start, end)`` → ``list[SettingChange]`` newest first (old → new value;
  ``None`` when the setting did not exist on one side).
"""

from __future__ import annotations

import datetime as dt

from monitoring.models import SettingChange, SettingValue

NOT_CONFIGURED = ("default", "override")   # sources of a value nobody set (``SettingValue.is_default``)


def settings_current(target_id: int, non_default: bool = False) -> list[SettingValue]:
    """The target's settings by name; ``non_default``: only those set somewhere (a source other than
    ``default`` or ``override``). All of them come non-defaults first, each part by name."""
    qs = SettingValue.objects.filter(target_id=target_id)
    if non_default:
        return list(qs.exclude(source__in=NOT_CONFIGURED).order_by("name"))
    return sorted(qs.order_by("name"), key=lambda s: s.is_default)


def settings_count(target_id: int) -> int:
    return SettingValue.objects.filter(target_id=target_id).count()


def settings_pending_restart(target_id: int) -> list[SettingValue]:
    """Settings changed in the configuration but waiting for a restart (whatever their source now)."""
    return list(SettingValue.objects.filter(target_id=target_id, pending_restart=True).order_by("name"))


def settings_changes(target_id: int, start: dt.datetime, end: dt.datetime) -> list[SettingChange]:
    return list(SettingChange.objects.filter(target_id=target_id, detected_at__gte=start, detected_at__lte=end)
                .order_by("-detected_at", "name"))
