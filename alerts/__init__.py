"""Alerting: rules over the collected history and the thresholds, their evaluation right after the
collectors that feed them, notification channels, silences and the Alerts pages.

Layers (highest first, checked by import-linter): ``urls`` → ``views`` / ``management`` → ``tasks`` →
``evaluation`` → ``rules`` / ``channels`` / ``selectors`` → ``models``. Above ``advisor`` and
``monitoring``, which never import it: monitoring announces each finished collection with a signal
(``monitoring.signals.collection_finished``) that ``AlertsConfig.ready`` connects to.
"""
