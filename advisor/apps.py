from __future__ import annotations

from django.apps import AppConfig


class AdvisorConfig(AppConfig):
    """Recommendations (rules, what-if, index selection), their review, and migration drafts."""

    name = "advisor"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The overview headline and the fleet badge show open findings through monitoring's registry:
        # the advisor plugs in from above, monitoring never imports it.
        from advisor.headline import AdvisorFindings
        from monitoring.headline.base import register

        register(AdvisorFindings())
