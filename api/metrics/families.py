"""The metric families of ``/metrics``, built at each scrape from the history store for every target.

Label values that come from monitored databases (database, user, replica and slot names) are text an
attacker may choose: they go through ``prometheus_client``, which escapes them, and through nothing else;
two replicas with the same name get distinct labels (``name#2``), so no series is ever duplicated. What
we do not know is left out rather than reported as 0: a target never collected has no ``up`` sample, a
family its collector never stored has no sample for that target (Prometheus' ``absent()`` sees it).

A scrape reads the history store first (a fixed number of queries), then builds the families one group at
a time and hands each over before the next is built: only one group's samples are alive at once, so a
scrape of many targets leaves little for the garbage collector to promote and walk (full collections were
what made one scrape in four slow). A family belongs to one group only — the exposition may carry each
name once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from advisor.selectors import open_by_severity
from alerts.selectors import FiringCount, firing_counts
from monitoring.health.feeds import DOWN_STATUSES
from monitoring.history.selectors.fleet import Outcome, collector_outcomes
from monitoring.history.selectors.latest import LatestSamples, TopStatement, latest_samples, ranked_statements
from monitoring.models import Target

STATES = ("active", "idle", "idle_in_transaction", "idle_in_transaction_aborted", "other_state")
FREEZE = {"xid": ("xid_age", "autovacuum_freeze_max_age", 200_000_000),
          "mxid": ("mxid_age", "autovacuum_multixact_freeze_max_age", 400_000_000)}
STATEMENT_LABELS = ["target", "database", "user", "queryid", "fingerprint", "toplevel"]


def _ts(moment: Any) -> float:
    return float(moment.timestamp())


class Families:
    """Declared once, filled per target; ``gauge``/``counter`` return the family to add samples to."""

    def __init__(self) -> None:
        self.all: dict[str, Metric] = {}

    def gauge(self, name: str, doc: str, labels: list[str]) -> GaugeMetricFamily:
        if name not in self.all:
            self.all[name] = GaugeMetricFamily(name, doc, labels=labels)
        found = self.all[name]
        assert isinstance(found, GaugeMetricFamily)
        return found

    def counter(self, name: str, doc: str, labels: list[str]) -> CounterMetricFamily:
        if name not in self.all:
            self.all[name] = CounterMetricFamily(name, doc, labels=labels)
        found = self.all[name]
        assert isinstance(found, CounterMetricFamily)
        return found


@dataclass(frozen=True)
class Scrape:
    """What one scrape read of the history store, for every target."""

    targets: list[Target]
    statuses: dict[int, list[Outcome]]
    samples: dict[int, LatestSamples]
    recommendations: dict[int, dict[str, int]]
    statements: dict[int, list[TopStatement]]
    alerts: dict[int, dict[str, FiringCount]]

    @classmethod
    def read(cls) -> Scrape:
        targets = list(Target.objects.order_by("name").only("pk", "name", "enabled", "server_version_num"))
        ids = [t.pk for t in targets]
        return cls(targets=targets, statuses=collector_outcomes(ids), samples=latest_samples(ids),
                   recommendations=open_by_severity(ids),
                   statements=ranked_statements([t.pk for t in targets if t.enabled],
                                                settings.METRICS_TOP_STATEMENTS),
                   alerts=firing_counts(ids))


class HistoryCollector(Collector):
    """A ``prometheus_client`` collector: every call to ``collect`` reads the history store afresh."""

    def collect(self) -> Iterator[Metric]:
        started = time.perf_counter()
        scrape = Scrape.read()
        handed: set[str] = set()
        for group in GROUPS:
            out = Families()
            for target in scrape.targets:
                group(out, target, scrape)
            for family in out.all.values():
                if family.name in handed:
                    raise RuntimeError(f"{family.name} is built by two groups: the exposition would repeat it")
                handed.add(family.name)
                yield family
        duration = GaugeMetricFamily("dbconsole_exporter_scrape_duration_seconds",
                                     "Time this exporter took to read the history store and build its families.")
        duration.add_metric([], time.perf_counter() - started)
        yield duration


def _target(out: Families, target: Target, scrape: Scrape) -> None:
    out.gauge("dbconsole_target_info", "A monitored target (1), with whether it is enabled and its version.",
              ["target", "enabled", "server_version"]).add_metric(
        [target.name, str(target.enabled).lower(), str(target.server_version_num or "")], 1)


def _collectors(out: Families, target: Target, scrape: Scrape) -> None:
    name = target.name
    ran = [s for s in scrape.statuses.get(target.pk, []) if s.status != "never" and s.last_attempt_at is not None]
    if target.enabled and ran:
        latest = max(ran, key=lambda s: s.last_attempt_at or 0)
        # "Up" is whether the server answered, not whether we may read everything: a refused login or a
        # missing grant still answered (collector_success says what we cannot see).
        out.gauge("dbconsole_target_up", "1 when the server answered the latest collection attempt, 0 when it "
                  "did not (unreachable, too many connections, timeout); no sample: never collected, or "
                  "disabled.", ["target"]).add_metric([name], int(latest.status not in DOWN_STATUSES))
    for s in ran:
        labels = [name, s.collector]
        out.gauge("dbconsole_collector_success", "1 when the collector's latest run succeeded (fully or partly).",
                  ["target", "collector"]).add_metric(labels, int(s.ok))
        if s.last_success_at is not None:
            out.gauge("dbconsole_collector_last_success_timestamp_seconds",
                      "When the collector last succeeded (Unix time).",
                      ["target", "collector"]).add_metric(labels, _ts(s.last_success_at))
        if s.last_duration_ms is not None:
            out.gauge("dbconsole_collector_duration_seconds", "How long the collector's latest run took.",
                      ["target", "collector"]).add_metric(labels, s.last_duration_ms / 1000)


def _set(out: Families, kind: Callable[[str, str, list[str]], Any], metric: str, doc: str, labels: list[str],
         values: list[str], value: Any) -> None:
    """Add a sample only for a known value: None (not collected, not applicable) stays absent."""
    if value is not None:
        kind(metric, doc, labels).add_metric(values, float(value))


def _activity(out: Families, target: Target, scrape: Scrape) -> None:
    found, name = scrape.samples.get(target.pk), target.name
    a = found.activity if found is not None else None
    if a is not None:
        for state in STATES:
            out.gauge("dbconsole_connections", "Client connections by state (newest activity sample).",
                      ["target", "state"]).add_metric([name, state.replace("_state", "")], a[state])
        g = out.gauge
        _set(out, g, "dbconsole_connections_max", "max_connections.", ["target"], [name], a["max_connections"])
        _set(out, g, "dbconsole_connections_reserved", "Connections reserved for superusers and roles.", ["target"],
             [name], a["reserved_connections"])
        _set(out, g, "dbconsole_sessions_waiting_on_lock", "Sessions waiting on a lock.", ["target"], [name],
             a["waiting_lock"])
        _set(out, g, "dbconsole_longest_transaction_seconds", "Age of the oldest open transaction.", ["target"],
             [name], a["longest_xact_seconds"] or 0)
        _set(out, g, "dbconsole_longest_query_seconds", "Running time of the longest active query.", ["target"],
             [name], a["longest_query_seconds"] or 0)
    if found is not None:
        _set(out, out.gauge, "dbconsole_lock_longest_wait_seconds",
             "Longest lock wait seen by the latest successful locks collection (0: nobody waited).", ["target"],
             [name], found.longest_lock_wait_seconds)


def _database(out: Families, target: Target, scrape: Scrape) -> None:
    found, name = scrape.samples.get(target.pk), target.name
    d = found.database if found is not None else None
    if found is None or d is None:
        return
    g, c = out.gauge, out.counter
    _set(out, g, "dbconsole_database_size_bytes", "Size of the target's database.", ["target"], [name], d["size_bytes"])
    for kind, (column, setting, default) in FREEZE.items():
        age = d[column]
        _set(out, g, "dbconsole_wraparound_age", "Age of the database's oldest unfrozen transaction (xid) or "
             "multixact (mxid) id.", ["target", "kind"], [name, kind], age)
        limit = found.freeze_settings.get(setting, default)
        _set(out, g, "dbconsole_wraparound_age_ratio", f"Wraparound age / its freeze setting ({setting}); "
             "1 means a forced anti-wraparound vacuum is due.", ["target", "kind"], [name, kind],
             age / limit if age is not None and limit else None)
    hit, read = d["blks_hit"], d["blks_read"]
    if hit is not None and read is not None and hit + read:
        _set(out, g, "dbconsole_cache_hit_ratio", "Blocks found in shared buffers / blocks requested, since the "
             "statistics were reset.", ["target"], [name], hit / (hit + read))
    _set(out, c, "dbconsole_blocks_hit", "Blocks found in shared buffers.", ["target"], [name], hit)
    _set(out, c, "dbconsole_blocks_read", "Blocks read from disk (or the OS cache).", ["target"], [name], read)
    for outcome, column in (("commit", "xact_commit"), ("rollback", "xact_rollback")):
        _set(out, c, "dbconsole_transactions", "Transactions by outcome.", ["target", "outcome"], [name, outcome],
             d[column])
    _set(out, c, "dbconsole_deadlocks", "Deadlocks detected.", ["target"], [name], d["deadlocks"])
    _set(out, c, "dbconsole_temp_bytes", "Bytes written to temporary files.", ["target"], [name], d["temp_bytes"])
    _set(out, c, "dbconsole_wal_bytes", "WAL generated (bytes).", ["target"], [name], d["wal_bytes"])
    for kind, column in (("timed", "checkpoints_timed"), ("requested", "checkpoints_req")):
        _set(out, c, "dbconsole_checkpoints", "Checkpoints, scheduled (timed) or requested.", ["target", "kind"],
             [name, kind], d[column])
    for by, column in (("checkpoint", "buffers_checkpoint"), ("bgwriter", "buffers_clean"),
                       ("backend", "buffers_backend")):
        _set(out, c, "dbconsole_buffers_written", "Buffers written, by who wrote them.", ["target", "by"], [name, by],
             d[column])


def _replication(out: Families, target: Target, scrape: Scrape) -> None:
    found, name = scrape.samples.get(target.pk), target.name
    r = found.replication if found is not None else None
    if r is None:
        return
    g = out.gauge
    if r["in_recovery"]:
        _set(out, g, "dbconsole_replication_replay_delay_seconds", "This standby's replay delay behind its primary.",
             ["target"], [name], r["replay_delay_seconds"])
    seen: dict[str, int] = {}
    for replica in r["replicas"] or []:
        label = str(replica.get("application_name") or replica.get("client_addr") or "unnamed")
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label = f"{label}#{seen[label]}"
        _set(out, g, "dbconsole_replication_lag_seconds", "A replica's replay lag behind this primary (time).",
             ["target", "replica"], [name, label], replica.get("replay_lag_seconds"))
        _set(out, g, "dbconsole_replication_lag_bytes", "A replica's replay lag behind this primary (WAL bytes).",
             ["target", "replica"], [name, label], replica.get("replay_lag_bytes"))
    for slot in r["slots"] or []:
        _set(out, g, "dbconsole_replication_slot_retained_bytes", "WAL a replication slot keeps.",
             ["target", "slot"], [name, str(slot.get("slot_name") or "")], slot.get("retained_bytes") or 0)


def _alerts(out: Families, target: Target, scrape: Scrape) -> None:
    """Every severity, 0 included, once the alerts evaluation has run on the target (absent before)."""
    counts, name = scrape.alerts.get(target.pk), target.name
    if counts is None:
        return
    for severity, count in counts.items():
        out.gauge("dbconsole_alerts_firing", "Firing alerts by severity (silenced and inhibited ones included).",
                  ["target", "severity"]).add_metric([name, severity], count.firing)
        out.gauge("dbconsole_alerts_silenced", "Firing alerts that notify nobody: silenced, in a maintenance "
                  "window, or inhibited by their target being down.", ["target", "severity"]).add_metric(
            [name, severity], count.silenced)


def _statements(out: Families, target: Target, scrape: Scrape) -> None:
    rows, name = scrape.statements.get(target.pk, []), target.name
    c = out.counter
    for s in rows:
        labels = [name, s.database, s.user, str(s.queryid), s.fingerprint, str(s.toplevel).lower()]
        c("dbconsole_statement_calls", "Calls of a top statement (cumulative since its first collection).",
          STATEMENT_LABELS).add_metric(labels, s.calls)
        c("dbconsole_statement_time_seconds", "Execution + planning time of a top statement.",
          STATEMENT_LABELS).add_metric(labels, s.time_seconds)


def _timestamps(out: Families, target: Target, scrape: Scrape) -> None:
    found = scrape.samples.get(target.pk)
    if found is None:
        return
    for family, part in (("activity", found.activity), ("database", found.database),
                         ("replication", found.replication)):
        if part is not None:
            out.gauge("dbconsole_sample_timestamp_seconds", "When the newest sample of a family was taken.",
                      ["target", "family"]).add_metric([target.name, family], _ts(part["captured_at"]))


def _recommendations(out: Families, target: Target, scrape: Scrape) -> None:
    for severity, count in scrape.recommendations.get(target.pk, {}).items():
        out.gauge("dbconsole_recommendations_open", "Open advisor recommendations by severity.",
                  ["target", "severity"]).add_metric([target.name, severity], count)


# Built and handed over in this order, one group at a time (see the module's docstring).
GROUPS: tuple[Callable[[Families, Target, Scrape], None], ...] = (
    _target, _collectors, _activity, _database, _replication, _timestamps, _recommendations, _statements, _alerts)
