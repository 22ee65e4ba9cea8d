"""What the target cannot tell about itself — RAM, CPUs, storage, the rhythm of its jobs — entered by a
person per target.

The configuration rules use the machine; without it, the rules that need it say so instead of guessing.
``min_observation_days`` is how long the advisor watches an index before calling it unused: a database
whose monthly job uses an index wants more than the default (``DBCONSOLE_ADVISOR_MIN_OBSERVATION_DAYS``).
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
    min_observation_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days of index statistics before an index may be called unused.")
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    def __str__(self) -> str:
        return f"machine of {self.target_id}"

    @property
    def complete(self) -> bool:
        return self.ram_bytes is not None and self.cpus is not None and bool(self.storage)
