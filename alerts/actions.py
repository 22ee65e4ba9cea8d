"""Every state change an operator or admin makes to alerting, validated once and audited
(``dbconsole.audit``) — called by the pages and by ``manage.py alerts`` alike.

* channels (admins): ``add_channel``, ``update_channel``, ``remove_channel``, ``test_channel``;
* silences and maintenance windows (operators): ``create_silence``, ``expire_silence``;
* acknowledgement (operators): ``acknowledge``;
* rule settings and thresholds per target (admins): ``save_rule_setting``, ``save_thresholds``.

Secrets (webhook URLs, routing keys, apprise URLs) are encrypted on the channel and never written to
the audit trail: it records the masked form only.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.utils import timezone

from alerts.channels.apprise_url import validate as validate_apprise
from alerts.channels.base import Sent, validate_http_url
from alerts.channels.payload import build, group_key
from alerts.evaluation.delivery import attempt
from alerts.models import Alert, AlertState, Channel, ChannelKind, Notification, NotificationGroup, RuleSetting, Silence
from alerts.models.channel import SEVERITIES
from alerts.rules import registry
from dbconsole import audit
from dbconsole.thresholds import DEFAULTS, validate_overrides
from monitoring.models import Target

ROUTING_KEY = re.compile(r"^[A-Za-z0-9]{20,64}$")
DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MAX_SILENCE = dt.timedelta(days=365)


def parse_duration(text: str) -> dt.timedelta:
    """``90s``, ``30m``, ``2h``, ``1d``, ``1w``."""
    match = DURATION.match(text or "")
    if not match or int(match.group(1)) <= 0:
        raise ValidationError(f"{text!r} is not a duration like 30m, 2h or 1d")
    return dt.timedelta(seconds=int(match.group(1)) * UNITS[match.group(2)])


# -- channels ---------------------------------------------------------------------------------------------

def _clean_channel(kind: str, secret: str, emails: list[str], min_severity: str, tags: list[str],
                   url: str = "") -> tuple[str, list[str], list[str], str]:
    if kind not in ChannelKind.values:
        raise ValidationError(f"kind must be one of {', '.join(ChannelKind.values)}")
    if min_severity not in SEVERITIES:
        raise ValidationError(f"severity must be one of {', '.join(SEVERITIES)}")
    for tag in tags:
        if not tag or len(tag) > 40 or not re.fullmatch(r"[\w.-]+", tag):
            raise ValidationError(f"tag {tag!r}: letters, digits, '.', '_' or '-', at most 40")
    if kind in (ChannelKind.WEBHOOK, ChannelKind.SLACK):
        secret = validate_http_url(secret)
    elif kind == ChannelKind.PAGERDUTY:
        if not ROUTING_KEY.match(secret or ""):
            raise ValidationError("a PagerDuty routing key is 32 letters and digits (the integration key)")
        url = validate_http_url(url) if url else ""
    elif kind == ChannelKind.EMAIL:
        emails = [e.strip() for e in (emails or []) if e.strip()]
        if not emails:
            raise ValidationError("an email channel needs at least one address")
        for address in emails:
            validate_email(address)
        secret = ""
    elif kind == ChannelKind.APPRISE:
        secret = validate_apprise(secret)
    return secret, emails, sorted(set(tags)), url


def add_channel(name: str, kind: str, *, secret: str = "", emails: list[str] | None = None,
                min_severity: str = "info", tags: list[str] | None = None, url: str = "",
                send_resolved: bool = True, repeat_interval_s: int = 4 * 3600,
                actor: Any = None, request: Any = None) -> Channel:
    validate_slug(name)
    if Channel.objects.filter(name=name).exists():
        raise ValidationError(f"a channel named {name!r} exists already")
    secret, emails_, tags_, url = _clean_channel(kind, secret, emails or [], min_severity, tags or [], url)
    if repeat_interval_s < 60:
        raise ValidationError("the repeat interval is at least 60 seconds")
    channel = Channel(name=name, kind=kind, emails=emails_, min_severity=min_severity, tags=tags_, url=url,
                      send_resolved=send_resolved, repeat_interval_s=repeat_interval_s)
    channel.set_secret(secret)
    with transaction.atomic():
        channel.save()
        audit.record("alerts.channel.add", actor=actor, request=request, **_described(channel))
    return channel


def update_channel(channel: Channel, *, secret: str | None = None, emails: list[str] | None = None,
                   min_severity: str | None = None, tags: list[str] | None = None, enabled: bool | None = None,
                   send_resolved: bool | None = None, actor: Any = None, request: Any = None) -> Channel:
    """Change what is given; a secret left None keeps the stored one (it is never shown to be edited)."""
    new_secret, emails_, tags_, url = _clean_channel(
        channel.kind, secret if secret is not None else channel.get_secret(),
        emails if emails is not None else list(channel.emails), min_severity or channel.min_severity,
        tags if tags is not None else list(channel.tags), channel.url)
    channel.emails, channel.tags, channel.url = emails_, tags_, url
    channel.min_severity = min_severity or channel.min_severity
    if secret is not None:
        channel.set_secret(new_secret)
    if enabled is not None:
        channel.enabled = enabled
    if send_resolved is not None:
        channel.send_resolved = send_resolved
    with transaction.atomic():
        channel.save()
        audit.record("alerts.channel.update", actor=actor, request=request, **_described(channel),
                     secret_changed=secret is not None)
    return channel


def remove_channel(channel: Channel, *, actor: Any = None, request: Any = None) -> None:
    with transaction.atomic():
        audit.record("alerts.channel.remove", actor=actor, request=request, **_described(channel))
        channel.delete()


def _described(channel: Channel) -> dict[str, Any]:
    return {"channel": channel.name, "kind": channel.kind, "address": channel.display or ", ".join(channel.emails),
            "min_severity": channel.min_severity, "tags": list(channel.tags), "enabled": channel.enabled}


def test_channel(channel: Channel, *, actor: Any = None, request: Any = None) -> tuple[Notification, Sent]:
    """Send one made-up alert now (a single try, no retries); the outcome is stored like any delivery."""
    now = timezone.now()
    sample = Alert(rule="dbconsole_test", fingerprint="0" * 16, severity="info", state=AlertState.FIRING,
                   labels={"alertname": "dbconsole_test", "target": "dbconsole", "severity": "info"},
                   annotations={"summary": f"test notification of channel {channel.name}",
                                "description": "sent from dbconsole to check this channel; nothing is wrong",
                                "runbook": "nothing to do: this message proves the channel works",
                                "runbook_url": f"{settings.EXTERNAL_URL}/alerts/channels/"},
                   started_at=now, fired_at=now, last_seen_at=now, link="/alerts/")
    labels = {"alertname": "dbconsole_test"}
    key = group_key(labels)
    with transaction.atomic():
        group, _ = NotificationGroup.objects.get_or_create(channel=channel, group_key=key, defaults={"labels": labels})
        notification = Notification.objects.create(
            channel=channel, group=group, status="firing", reason="test", created_at=now, next_attempt_at=now,
            payload=build(channel.name, key, labels, [sample]))
        audit.record("alerts.channel.test", actor=actor, request=request, channel=channel.name)
    attempt(notification.pk)
    notification.refresh_from_db()
    last = notification.delivery_attempts.order_by("-at").first()
    notification.attempts = max(notification.attempts, 1)
    # One try is all a test gets: a failed test is reported, not retried behind the admin's back.
    if last is not None and not last.ok:
        Notification.objects.filter(pk=notification.pk).update(state="failed", next_attempt_at=None)
        notification.state = "failed"
    return notification, Sent(bool(last and last.ok), last.status_code if last else None, last.error if last else "")


# -- silences and acknowledgements --------------------------------------------------------------------

def create_silence(*, target: Target | None, rule: str = "", labels: dict[str, str] | None = None,
                   starts_at: dt.datetime | None = None, ends_at: dt.datetime | None = None,
                   duration: dt.timedelta | None = None, comment: str, kind: str = Silence.SILENCE,
                   actor: Any = None, request: Any = None) -> Silence:
    starts_at = starts_at or timezone.now()
    if ends_at is None:
        if duration is None:
            raise ValidationError("give an end time or a duration")
        ends_at = starts_at + duration
    if ends_at <= starts_at:
        raise ValidationError("a silence must end after it starts")
    if ends_at - starts_at > MAX_SILENCE:
        raise ValidationError("a silence lasts at most a year")
    if rule and rule not in registry():
        raise ValidationError(f"unknown rule {rule!r}; known: {', '.join(registry())}")
    if not (comment or "").strip():
        raise ValidationError("a silence needs a comment: why, and who to ask")
    labels = {str(k)[:60]: str(v)[:200] for k, v in (labels or {}).items()}
    if target is None and not rule and not labels:
        raise ValidationError("a silence of everything everywhere is not allowed: name a target, a rule or a label")
    name = _actor_name(actor, request)
    silence = Silence(kind=kind if kind in (Silence.SILENCE, Silence.MAINTENANCE) else Silence.SILENCE,
                      target=target, rule=rule, labels=labels, starts_at=starts_at, ends_at=ends_at,
                      comment=comment.strip()[:2000], created_by=_user(actor, request), created_by_name=name)
    with transaction.atomic():
        silence.save()
        audit.record(f"alerts.{silence.kind}.create", actor=actor, request=request, target=target, rule=rule,
                     labels=labels, starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat(),
                     comment=silence.comment, silence=silence.pk)
    return silence


def expire_silence(silence: Silence, *, actor: Any = None, request: Any = None) -> Silence:
    now = timezone.now()
    with transaction.atomic():
        silence.expired_at = now if silence.expired_at is None else silence.expired_at
        silence.save(update_fields=["expired_at"])
        audit.record(f"alerts.{silence.kind}.expire", actor=actor, request=request, target=silence.target,
                     silence=silence.pk)
    return silence


def acknowledge(alert: Alert, *, comment: str = "", actor: Any = None, request: Any = None) -> Alert:
    with transaction.atomic():
        alert.acknowledged_by = _user(actor, request)
        alert.acknowledged_at = timezone.now()
        alert.ack_comment = (comment or "").strip()[:2000]
        alert.save(update_fields=["acknowledged_by", "acknowledged_at", "ack_comment"])
        audit.record("alerts.alert.acknowledge", actor=actor, request=request, target=alert.target,
                     alert=alert.pk, rule=alert.rule, fingerprint=alert.fingerprint, comment=alert.ack_comment)
    return alert


# -- rule settings ----------------------------------------------------------------------------------------

def save_rule_setting(*, target: Target | None, rule: str, enabled: bool, for_s: int | None,
                      keep_firing_s: int | None, params: dict[str, Any] | None = None,
                      actor: Any = None, request: Any = None) -> RuleSetting:
    if rule not in registry():
        raise ValidationError(f"unknown rule {rule!r}")
    for name, value in (("for", for_s), ("keep firing for", keep_firing_s)):
        if value is not None and not 0 <= value <= 7 * 86400:
            raise ValidationError(f"{name}: 0 to 604800 seconds")
    params = dict(params or {})
    limit = params.get("size_limit_bytes")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit <= 0):
        raise ValidationError("size_limit_bytes must be a positive whole number of bytes")
    with transaction.atomic():
        setting, _ = RuleSetting.objects.update_or_create(
            target=target, rule=rule,
            defaults={"enabled": enabled, "for_s": for_s, "keep_firing_s": keep_firing_s, "params": params})
        audit.record("alerts.rule.update", actor=actor, request=request, target=target, rule=rule, enabled=enabled,
                     for_s=for_s, keep_firing_s=keep_firing_s, params=params)
    return setting


def save_thresholds(target: Target, key: str, levels: dict[str, float | None], *, actor: Any = None,
                    request: Any = None) -> Target:
    """Set (a number) or clear (None) the target's override of each level of threshold ``key``."""
    if key not in DEFAULTS:
        raise ValidationError(f"unknown threshold {key!r}")
    overrides = {k: dict(v) for k, v in (target.thresholds or {}).items()}
    mine = overrides.get(key, {})
    for level, value in levels.items():
        if value is None:
            mine.pop(level, None)
        else:
            mine[level] = value
    if mine:
        overrides[key] = mine
    else:
        overrides.pop(key, None)
    validate_overrides(overrides)
    with transaction.atomic():
        before = target.thresholds
        target.thresholds = overrides
        target.save(update_fields=["thresholds", "updated_at"])
        audit.record("targets.thresholds", actor=actor, request=request, target=target, key=key,
                     before=before.get(key) if isinstance(before, dict) else None, after=overrides.get(key))
    return target


def _user(actor: Any, request: Any) -> Any:
    user = actor if actor is not None else getattr(request, "user", None)
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _actor_name(actor: Any, request: Any) -> str:
    user = _user(actor, request)
    if user is not None:
        return str(user.get_username())
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"
