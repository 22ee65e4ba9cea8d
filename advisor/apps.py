from __future__ import annotations

from django.apps import AppConfig


class AdvisorConfig(AppConfig):
    """Recommendations (rules, what-if, index selection), their review, and migration drafts."""

    name = "advisor"
    default_auto_field = "django.db.models.BigAutoField"
