"""What the target cannot tell about its machine — RAM, CPUs, storage — entered by a person per target.

The configuration rules use them; without them, the rules that need them say so instead of guessing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from monitoring.models import Target


class Storage(models.TextChoices):
    SSD = "ssd", "SSD / NVMe"
    HDD = "hdd", "spinning disks"
    NETWORK = "network", "network block storage (EBS, persistent disk…)"


class MachineFacts(models.Model):
    target = models.OneToOneField(Target, on_delete=models.CASCADE, related_name="machine_facts")
    ram_bytes = models.BigIntegerField(null=True, blank=True)
    cpus = models.PositiveIntegerField(null=True, blank=True)
    storage = models.CharField(max_length=10, choices=Storage.choices, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return f"machine of {self.target_id}"

    @property
    def complete(self) -> bool:
        return self.ram_bytes is not None and self.cpus is not None and bool(self.storage)
