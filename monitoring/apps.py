from __future__ import annotations

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """Targets, collectors, the history store and the dashboards that read it."""

    name = "monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from monitoring.headline.base import register
        from monitoring.headline.locks import LockIncidents

        register(LockIncidents())
