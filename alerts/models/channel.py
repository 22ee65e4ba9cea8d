"""Where notifications go. The URL (or PagerDuty routing key, or apprise URL) is a credential: stored
Fernet-encrypted like target passwords (``dbconsole.crypto``), never rendered back in full — pages and
the CLI show ``display`` (scheme, host and the last characters only)."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models

from dbconsole import crypto


class ChannelKind(models.TextChoices):
    WEBHOOK = "generic", "generic webhook (Alertmanager JSON)"
    SLACK = "slack", "Slack incoming webhook"
    PAGERDUTY = "pagerduty", "PagerDuty Events v2"
    EMAIL = "email", "email"
    APPRISE = "apprise", "apprise URL (Teams, Telegram, Discord, …)"


SEVERITIES = ("info", "warning", "critical")


class Channel(models.Model):
    name = models.SlugField(max_length=63, unique=True)
    kind = models.CharField(max_length=12, choices=ChannelKind.choices, default=ChannelKind.WEBHOOK)
    secret_encrypted = models.TextField(blank=True, default="", editable=False)
    display = models.CharField(max_length=200, blank=True, default="", editable=False,
                               help_text="What may be shown of the secret.")
    url = models.URLField(max_length=500, blank=True, default="",
                          help_text="PagerDuty only: the Events API URL (not a secret).")
    emails = ArrayField(models.EmailField(), default=list, blank=True)
    min_severity = models.CharField(max_length=10, default="info",
                                    choices=[(s, s) for s in SEVERITIES])
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True,
                      help_text="Only targets with one of these tags; empty: every target.")
    send_resolved = models.BooleanField(default=True)
    repeat_interval_s = models.PositiveIntegerField(default=4 * 3600)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def set_secret(self, raw: str) -> None:
        self.secret_encrypted = crypto.encrypt(raw) if raw else ""
        self.display = mask(raw, self.kind)

    def get_secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)


def mask(secret: str, kind: str) -> str:
    """Enough to recognise a channel, never enough to use it: scheme and host of a URL, the last four
    characters of a routing key."""
    if not secret:
        return ""
    if kind == ChannelKind.PAGERDUTY:
        return f"routing key …{secret[-4:]}" if len(secret) > 8 else "routing key (set)"
    scheme, _, rest = secret.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}/…" if rest else "(set)"
