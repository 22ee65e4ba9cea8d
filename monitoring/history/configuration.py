"""Settings history: current values per target (``SettingValue``) and every change (``SettingChange``),
plus one ``settings_changed`` event per collection that saw changes, for chart annotations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from monitoring.models import Event, SettingChange, SettingValue
from monitoring.models import events as ev
from monitoring.pgstats.pgsettings import Setting

FIELDS = ("setting", "unit", "source", "category", "vartype", "boot_val", "reset_val", "pending_restart")


def store_settings(target_id: int, settings: Sequence[Setting], at: dt.datetime) -> int:
    """Returns the number of settings that changed (all of them on the first run, which records no
    changes: there is nothing to compare with)."""
    current = {s.name: s for s in SettingValue.objects.filter(target_id=target_id)}
    first = not current
    changes: list[SettingChange] = []
    new: list[SettingValue] = []
    updated: list[SettingValue] = []
    for s in settings:
        old = current.pop(s.name, None)
        if old is None:
            new.append(SettingValue(target_id=target_id, name=s.name, updated_at=at,
                                    **{f: getattr(s, f) for f in FIELDS}))
            if not first:
                changes.append(SettingChange(target_id=target_id, detected_at=at, name=s.name, old_value=None,
                                             new_value=s.setting, unit=s.unit, source=s.source))
            continue
        if any(getattr(old, f) != getattr(s, f) for f in FIELDS):
            if old.setting != s.setting:
                changes.append(SettingChange(target_id=target_id, detected_at=at, name=s.name,
                                             old_value=old.setting, new_value=s.setting, unit=s.unit,
                                             source=s.source))
            for f in FIELDS:
                setattr(old, f, getattr(s, f))
            old.updated_at = at
            updated.append(old)
    for gone in current.values():   # an extension's setting that disappeared
        changes.append(SettingChange(target_id=target_id, detected_at=at, name=gone.name,
                                     old_value=gone.setting, new_value=None, unit=gone.unit, source=gone.source))
    SettingValue.objects.filter(pk__in=[g.pk for g in current.values()]).delete()
    SettingValue.objects.bulk_create(new)
    SettingValue.objects.bulk_update(updated, [*FIELDS, "updated_at"])
    if changes:
        SettingChange.objects.bulk_create(changes)
        Event.objects.bulk_create([Event(
            target_id=target_id, at=at, kind=ev.SETTINGS_CHANGED, collector="settings",
            message=", ".join(f"{c.name}: {c.old_value} → {c.new_value}" for c in changes[:5])
            + (f" and {len(changes) - 5} more" if len(changes) > 5 else ""),
            detail={"changes": [{"name": c.name, "old": c.old_value, "new": c.new_value} for c in changes]},
            dedupe_key=at.isoformat(),
        )], ignore_conflicts=True)
    return len(new) if first else len(changes)
