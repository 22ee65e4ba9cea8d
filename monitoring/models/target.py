"""A monitored PostgreSQL database ("target")."""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from dbconsole import crypto
from dbconsole.thresholds import validate_overrides

SSLMODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]


class Target(models.Model):
    """Connection details of one database we monitor; the password is stored Fernet-encrypted.

    ``intervals`` overrides the default collection interval per collector, in seconds, e.g.
    ``{"statements": 30}``; ``thresholds`` overrides severity thresholds (``dbconsole.thresholds``), e.g.
    ``{"long_query_seconds": {"warning": 600}}``. The password never leaves this object except inside
    ``conninfo()``.
    """

    name = models.SlugField(max_length=63, unique=True, help_text="Short name used in URLs and the CLI.")
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=5432, validators=[MinValueValidator(1), MaxValueValidator(65535)])
    dbname = models.CharField(max_length=63)
    username = models.CharField(max_length=63)
    password_encrypted = models.TextField(blank=True, default="", editable=False)
    sslmode = models.CharField(max_length=16, default="prefer", choices=[(m, m) for m in SSLMODES])
    enabled = models.BooleanField(default=True)
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    intervals = models.JSONField(default=dict, blank=True)
    thresholds = models.JSONField(
        default=dict, blank=True, validators=[validate_overrides],
        help_text='Overrides of severity thresholds, e.g. {"long_query_seconds": {"warning": 600}}; '
                  "the keys, units and defaults are listed in the README.",
    )
    server_version_num = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Target {self.name} {self.username}@{self.host}:{self.port}/{self.dbname}>"

    def set_password(self, raw: str) -> None:
        self.password_encrypted = crypto.encrypt(raw) if raw else ""

    def get_password(self) -> str:
        return crypto.decrypt(self.password_encrypted)

    @property
    def address(self) -> str:
        """What we may show: everything but the password."""
        return f"{self.username}@{self.host}:{self.port}/{self.dbname}"

    @property
    def server_major(self) -> int | None:
        return self.server_version_num // 10000 if self.server_version_num else None

    def conninfo_params(self, **overrides: Any) -> dict[str, Any]:
        params: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "dbname": self.dbname,
            "user": self.username,
            "password": self.get_password(),
            "sslmode": self.sslmode,
        }
        params.update(overrides)
        return params

    def interval_for(self, collector: str, default: int) -> int:
        value = self.intervals.get(collector)
        return int(value) if isinstance(value, int | float) and value > 0 else default
