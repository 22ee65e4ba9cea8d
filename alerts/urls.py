"""URLs of the alerts app: the fleet pages under ``/alerts/``, the per-target ones under ``/t/<target>/``."""

from __future__ import annotations

from django.urls import path

from alerts.views import board, channels, rules, silences

urlpatterns = [
    path("alerts/", board.fleet, name="alerts"),
    path("alerts/<int8:pk>/ack/", board.acknowledge, name="alerts-ack"),
    path("alerts/rules/", rules.rule_docs, name="alerts-rule-docs"),
    path("alerts/channels/", channels.channels, name="alerts-channels"),
    path("alerts/channels/add/", channels.add, name="alerts-channels-add"),
    path("alerts/channels/<slug:name>/test/", channels.test, name="alerts-channels-test"),
    path("alerts/channels/<slug:name>/toggle/", channels.toggle, name="alerts-channels-toggle"),
    path("alerts/channels/<slug:name>/remove/", channels.remove, name="alerts-channels-remove"),
    path("alerts/silences/", silences.silences, name="alerts-silences"),
    path("alerts/silences/add/", silences.create, name="alerts-silences-add"),
    path("alerts/silences/<int8:pk>/expire/", silences.expire, name="alerts-silences-expire"),
    path("t/<slug:target>/alerts/", board.target_alerts, name="alerts-target"),
    path("t/<slug:target>/alerts/rules/", rules.rule_settings, name="alerts-rules"),
]
