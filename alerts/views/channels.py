"""Channels (admins): add, test, switch on and off, remove; every channel's failed notifications and the
recent deliveries with each attempt. Secrets are typed in once and never rendered back (only their
masked form)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from alerts import actions, selectors
from alerts.models import Channel, ChannelKind
from alerts.models.channel import SEVERITIES
from dbconsole.access import ADMIN, role_required
from dbconsole.paramforms import ParamForm


class ChannelForm(ParamForm):
    name = forms.SlugField(max_length=63)
    kind = forms.ChoiceField(choices=ChannelKind.choices)
    secret = forms.CharField(required=False, max_length=2000, label="URL / routing key",
                             widget=forms.PasswordInput(render_value=False),
                             help_text="Webhook URL, PagerDuty routing key or apprise URL; stored encrypted.")
    emails = forms.CharField(required=False, max_length=2000, help_text="Email kind: comma-separated addresses.")
    min_severity = forms.ChoiceField(choices=[(s, s) for s in SEVERITIES], initial="info")
    tags = forms.CharField(required=False, max_length=400, help_text="Only targets with one of these tags.")


def _page(request: HttpRequest, form: ChannelForm, status: int = 200) -> HttpResponse:
    return render(request, "alerts/channels.html", {
        "form": form, "rows": selectors.channel_rows(), "notifications": selectors.recent_notifications(50),
    }, status=status)


@require_GET
@role_required(ADMIN)
def channels(request: HttpRequest) -> HttpResponse:
    return _page(request, ChannelForm())


@require_POST
@role_required(ADMIN)
def add(request: HttpRequest) -> HttpResponse:
    form = ChannelForm.from_request(request)
    if form.is_valid():
        data = form.cleaned_data
        try:
            channel = actions.add_channel(
                data["name"], data["kind"], secret=data["secret"], min_severity=data["min_severity"],
                emails=[e.strip() for e in data["emails"].split(",") if e.strip()],
                tags=[t.strip() for t in data["tags"].split(",") if t.strip()], request=request)
        except ValidationError as exc:
            form.add_error(None, "; ".join(exc.messages))
        else:
            messages.success(request, f"Added channel {channel.name}")
            return redirect("alerts-channels")
    return _page(request, form, status=400)


@require_POST
@role_required(ADMIN)
def test(request: HttpRequest, name: str) -> HttpResponse:
    channel = get_object_or_404(Channel, name=name)
    _notification, sent = actions.test_channel(channel, request=request)
    if sent.ok:
        messages.success(request, f"Test notification delivered to {channel.name}")
    else:
        messages.error(request, f"Test notification to {channel.name} failed: {sent.error}")
    return redirect("alerts-channels")


@require_POST
@role_required(ADMIN)
def toggle(request: HttpRequest, name: str) -> HttpResponse:
    channel = get_object_or_404(Channel, name=name)
    actions.update_channel(channel, enabled=not channel.enabled, request=request)
    messages.success(request, f"{channel.name} {'enabled' if channel.enabled else 'disabled'}")
    return redirect("alerts-channels")


@require_POST
@role_required(ADMIN)
def remove(request: HttpRequest, name: str) -> HttpResponse:
    channel = get_object_or_404(Channel, name=name)
    actions.remove_channel(channel, request=request)
    messages.success(request, f"Removed channel {name}")
    return redirect("alerts-channels")
