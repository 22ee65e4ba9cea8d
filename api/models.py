"""Personal API tokens.

A token is ``dbc_`` + 43 URL-safe characters (32 random bytes). Only its SHA-256 is stored, with the
first twelve characters (``prefix``) kept in clear so people can tell their tokens apart in lists and
in the audit trail. A token acts as its user, with the user's roles at the time of each request.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for; shown in the audit trail.")
    prefix = models.CharField(max_length=16, unique=True, help_text="The token's first characters, in clear.")
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the whole token, hex.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, help_text="Who made it: a user name or cli:<os user>.")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user_id", "name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="apitoken_user_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def label(self) -> str:
        """How the audit trail names it."""
        return f"{self.name} ({self.prefix})"
