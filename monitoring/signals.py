"""What monitoring tells the layers above it, without knowing who listens.

``collection_finished`` is sent by the collector runner after every run of a collector on a target —
stored or failed — once the history-store transaction has committed, so a receiver reading the
history sees what the run wrote. Keyword arguments: ``target_id`` (int), ``collector`` (its registry
name), ``status`` (``ok``, ``partial`` or the failure status recorded in ``CollectorStatus``) and
``at`` (the run's capture time, aware).

The alerts app connects to it in its ``AppConfig.ready`` to evaluate that target's rules right after
the collectors that feed them: data flows up (monitoring never imports alerts), and a condition the
collectors see is evaluated within the same cycle instead of on a clock of its own. Receivers are
called with ``send_robust``: one that fails is logged and never fails a collection.
"""

from __future__ import annotations

from django.dispatch import Signal

collection_finished = Signal()
