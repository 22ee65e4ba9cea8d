from __future__ import annotations

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Alert rules, their evaluation, notification channels and silences."""

    name = "alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Evaluate a target's rules right after each of its collections (see alerts.trigger): monitoring
        # sends the signal and knows nothing of who listens.
        from alerts import trigger
        from monitoring.signals import collection_finished

        collection_finished.connect(trigger.on_collection_finished, dispatch_uid="alerts.evaluate")
