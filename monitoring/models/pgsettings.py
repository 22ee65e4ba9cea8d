"""Server settings (``pg_settings``) of each target: the current values and every change we saw."""

from __future__ import annotations

from django.db import models

from monitoring.models.target import Target


class SettingValue(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="setting_values")
    name = models.CharField(max_length=100)
    setting = models.TextField(blank=True, default="")
    unit = models.CharField(max_length=16, blank=True, default="")
    source = models.CharField(max_length=40, blank=True, default="")
    category = models.CharField(max_length=100, blank=True, default="")
    vartype = models.CharField(max_length=16, blank=True, default="")
    boot_val = models.TextField(blank=True, default="")
    reset_val = models.TextField(blank=True, default="")
    pending_restart = models.BooleanField(default=False)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "name"], name="setting_value_unique")]

    def __str__(self) -> str:
        return f"{self.name}={self.setting}{self.unit}"

    @property
    def is_default(self) -> bool:
        return self.source in {"default", "override"}


class SettingChange(models.Model):
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="setting_changes")
    detected_at = models.DateTimeField()
    name = models.CharField(max_length=100)
    # NULL, not "": the setting did not exist before (or after) — an empty string is a real value.
    old_value = models.TextField(null=True, blank=True)  # noqa: DJ001
    new_value = models.TextField(null=True, blank=True)  # noqa: DJ001
    unit = models.CharField(max_length=16, blank=True, default="")
    source = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["target", "detected_at"], name="settingchange_target_at")]

    def __str__(self) -> str:
        return f"{self.name}: {self.old_value} -> {self.new_value}"
