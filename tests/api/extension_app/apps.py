from __future__ import annotations

from collections.abc import Iterator

from django.apps import AppConfig
from prometheus_client.core import GaugeMetricFamily, Metric


class ExtensionAppConfig(AppConfig):
    name = "tests.api.extension_app"
    label = "firing"
    api_urls = "tests.api.extension_app.urls"

    def api_metric_families(self, targets: dict[int, str]) -> Iterator[Metric]:
        """One alert firing per target whose name has a digit, as an alerts app would count them."""
        family = GaugeMetricFamily("dbconsole_alerts_firing", "Alerts firing.", labels=["target", "severity"])
        for name in targets.values():
            family.add_metric([name, "critical"], sum(ch.isdigit() for ch in name))
        yield family
