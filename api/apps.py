from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """JSON API, API tokens and the Prometheus exporter."""

    name = "api"
    verbose_name = "API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # drf-spectacular finds the bearer scheme through this registration (an import for its side effect).
        from api import schema_extensions  # noqa: F401
