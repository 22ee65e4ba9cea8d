"""Metric families other apps add to ``/metrics`` without the API importing them.

An installed app whose ``AppConfig`` has a method ``api_metric_families(targets)`` — ``targets`` maps
target ids to names — has the ``prometheus_client`` metric families it returns added to each scrape.
The alerts app provides ``dbconsole_alerts_firing{target, severity}`` this way; until an app provides a
family, it is absent from ``/metrics`` (unknown), never reported as zero.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps
from prometheus_client.core import Metric


def families(targets: dict[int, str]) -> Iterator[Metric]:
    for config in apps.get_app_configs():
        hook = getattr(config, "api_metric_families", None)
        if callable(hook):
            yield from hook(targets)
