"""The history store as the rules see it: one object per run, each read done once and cached.

Everything comes from ``monitoring.history.selectors`` except two window aggregates no selector
offers yet, read here in one query each over the same tables (see ``sql/``):

* ``relation_deltas`` — per table and index, reset-aware differences of cumulative counters over the
  window (writes, autovacuum runs, scans), from the raw samples (and hourly ones older than those);
* ``activity_peaks`` — the longest idle-in-transaction time, longest query and oldest xmin seen;
* ``index_scans`` — per index, reset-aware scans since a given time (the unused-index rule looks back
  over its minimum observation, which may be longer than the window).

Numbers a rule reports are only what the store holds; when it holds nothing yet a rule says so
(``RuleSkipped``) instead of guessing.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.db import connection

from advisor.rules.facts import ActivityPeaks, BloatInfo, DatabaseInfo, IndexInfo, TableDeltas, TableInfo
from dbconsole.timerange import TOTALS, resolution
from monitoring.history.selectors import database as database_selectors
from monitoring.history.selectors import events as event_selectors
from monitoring.history.selectors import locks as lock_selectors
from monitoring.history.selectors import relations as relation_selectors
from monitoring.history.selectors import statements as statement_selectors
from monitoring.history.selectors.configuration import settings_current
from monitoring.history.selectors.cumulative import Cumulative, cumulative_in
from monitoring.history.selectors.statements import StatementTotals
from monitoring.models import CollectorStatus, Event, Relation, SequenceSnapshot, SettingValue, Target
from monitoring.models import events as ev
from pgsql.sqlfiles import SqlDir

SQL_FILES = SqlDir(__file__)
TEXT_CHARS = 10_000_000  # statements' full normalized text, not a preview
RESET_KINDS = {ev.RESTART: "server restart", ev.DATABASE_STATS_RESET: "statistics reset"}


class History:
    def __init__(self, target: Target, start: dt.datetime, end: dt.datetime) -> None:
        self.target = target
        self.start = start
        self.end = end
        self._scans_since: dict[dt.datetime, dict[int, tuple[int, dt.datetime]]] = {}

    def collect_hint(self, collector: str) -> str:
        return f"manage.py collect --target {self.target.name} --collector {collector} --once"

    # -- statements --------------------------------------------------------------------------------

    @cached_property
    def _statements(self) -> list[StatementTotals]:
        page = statement_selectors.statement_totals(self.target.pk, self.start, self.end, limit=None,
                                                    preview=TEXT_CHARS)
        return page.rows

    def statements(self) -> list[StatementTotals]:
        """Every statement that ran in the window, with its full text and totals."""
        return self._statements

    @cached_property
    def _cumulative(self) -> Cumulative | None:
        return cumulative_in(self.target.pk, self.start, self.end)

    def cumulative(self) -> Cumulative | None:
        """The target's first statements collection, if in the window: its counters are cumulative since
        the stats reset (statements with ``since_stats_reset``), not deltas over the window."""
        return self._cumulative

    # -- tables and indexes ------------------------------------------------------------------------

    @cached_property
    def _deltas(self) -> tuple[dict[int, TableDeltas], dict[int, tuple[int, dt.datetime]]]:
        tables: dict[int, TableDeltas] = {}
        indexes: dict[int, tuple[int, dt.datetime]] = {}
        with connection.cursor() as cur:
            cur.execute(SQL_FILES.load("relation_deltas"), {"t": self.target.pk, "start": self.start, "end": self.end})
            for kind, seq, since, until, *values in cur.fetchall():
                if kind == "t":
                    ins, upd, dele, hot, av, vac, sscan, iscan = (int(v or 0) for v in values)
                    tables[seq] = TableDeltas(n_tup_ins=ins, n_tup_upd=upd, n_tup_del=dele, n_tup_hot_upd=hot,
                                              autovacuum_count=av, vacuum_count=vac, seq_scan=sscan, idx_scan=iscan,
                                              since=since, seconds=(until - since).total_seconds())
                else:
                    # Sampled once only: no difference yet, so its scans over the window are unknown.
                    if until > since:
                        indexes[seq] = (int(values[0] or 0), since)
        return tables, indexes

    @cached_property
    def _tables(self) -> dict[int, TableInfo]:
        out = {}
        for row in self._table_rows:
            v, rel = row.values, row.relation
            out[rel.seq] = TableInfo(
                seq=rel.seq, schema=rel.schema, name=rel.name, heap_bytes=v["heap_bytes"], total_bytes=row.total_bytes,
                reltuples=max(int(v["reltuples"] or 0), 0), n_live_tup=v["n_live_tup"], n_dead_tup=v["n_dead_tup"],
                last_vacuum=v["last_vacuum"], last_autovacuum=v["last_autovacuum"], xid_age=v["xid_age"],
                mxid_age=v["mxid_age"],
            )
        return out

    @cached_property
    def _table_rows(self) -> list[relation_selectors.TableRow]:
        return relation_selectors.tables(self.target.pk)

    @cached_property
    def _index_rows(self) -> list[relation_selectors.IndexRow]:
        return relation_selectors.indexes(self.target.pk)

    def tables_with_deltas(self) -> list[tuple[TableInfo, TableDeltas]]:
        deltas = self._deltas[0]
        return [(t, deltas.get(seq, TableDeltas())) for seq, t in self._tables.items()]

    def table(self, seq: int) -> TableInfo | None:
        return self._tables.get(seq)

    def table_by_name(self, schema: str, name: str) -> TableInfo | None:
        return next((t for t in self._tables.values() if (t.schema, t.name) == (schema, name)), None)

    def relation_gone(self, schema: str, name: str) -> bool:
        """The relations collector saw ``schema.name`` disappear and has not seen it since."""
        named = Relation.objects.filter(target=self.target, schema=schema, name=name)
        return named.filter(dropped_at__isnull=False).exists() and not named.filter(dropped_at__isnull=True).exists()

    def table_deltas(self, seq: int) -> TableDeltas | None:
        return self._deltas[0].get(seq)

    def table_writes(self, seq: int) -> int | None:
        """Rows inserted, updated or deleted in the window; None when the table was sampled once only."""
        deltas = self._deltas[0].get(seq)
        return deltas.writes if deltas is not None and deltas.seconds > 0 else None

    def largest_table_bytes(self) -> int | None:
        return max((t.total_bytes for t in self._tables.values()), default=None)

    @cached_property
    def _indexes(self) -> list[IndexInfo]:
        usage = self._deltas[1]
        out = []
        for row in self._index_rows:
            rel: Relation = row.relation
            table = row.table
            if table is None:
                continue
            scans, since = usage.get(rel.seq, (None, None))
            out.append(IndexInfo(
                seq=rel.seq, oid=rel.oid, schema=rel.schema, name=rel.name, table_seq=table.seq, table_name=table.name,
                definition=rel.definition, method=rel.method, is_unique=rel.is_unique, is_primary=rel.is_primary,
                is_valid=rel.is_valid, constraint_type=rel.constraint_type, first_seen=rel.first_seen,
                bytes=row.bytes, scans_total=row.scans,
                scans_window=scans,
                last_scan=row.last_scan, observed_since=since,
            ))
        return out

    def indexes(self) -> list[IndexInfo]:
        return self._indexes

    def observed_label(self, index: IndexInfo) -> str:
        if index.observed_since is None:
            return "never sampled twice"
        return index.observed_since.strftime("%Y-%m-%d %H:%M UTC")

    def bloat(self) -> dict[int, BloatInfo] | None:
        """Bloat of every table and index by seq, from the latest bloat run; None before the first (an
        empty dict when the run measured nothing: a database without tables)."""
        out: dict[int, BloatInfo] = {}
        measured = False
        for t in self._table_rows:
            if t.bloat_measured_at is not None:
                measured = True
                exact = t.exact_bloat_bytes is not None
                out[t.relation.seq] = BloatInfo(
                    size_bytes=t.values["heap_bytes"], bloat_bytes=t.exact_bloat_bytes if exact else t.est_bloat_bytes,
                    exact=exact, captured_at=t.bloat_measured_at)
        at = next((t.bloat_measured_at for t in self._table_rows if t.bloat_measured_at), None)
        for i in self._index_rows:
            if i.est_bloat_bytes is not None or i.exact_bloat_bytes is not None:
                exact = i.exact_bloat_bytes is not None
                out[i.relation.seq] = BloatInfo(size_bytes=i.bytes,
                                                bloat_bytes=i.exact_bloat_bytes if exact else i.est_bloat_bytes,
                                                exact=exact, captured_at=at)
        return out if measured or out or self.bloat_collected_at() is not None else None

    def reset_events(self) -> list[tuple[dt.datetime, str]]:
        """Server restarts and statistics resets in the window: counters restarted from zero there."""
        return [(a.at, RESET_KINDS[a.kind]) for a in event_selectors.events(self.target.pk, self.start, self.end)
                if a.kind in RESET_KINDS]

    @cached_property
    def _lock_relations(self) -> list[set[str]]:
        return [set(i.relations) for i in lock_selectors.lock_incidents(self.target.pk, self.start, self.end)]

    def lock_incidents_on(self, schema: str, table: str) -> int:
        """Lock incidents in the window whose tree waited on this table (named either way)."""
        names = {table, f"{schema}.{table}", f'"{schema}"."{table}"', f'"{table}"'}
        return sum(1 for relations in self._lock_relations if relations & names)

    def resets_since(self, start: dt.datetime) -> list[tuple[dt.datetime, str]]:
        """Restarts and statistics resets since ``start``, at the time they happened (the server's start
        or reset time the collector read, else when it noticed), oldest first."""
        out = []
        for event in Event.objects.filter(target=self.target, kind__in=list(RESET_KINDS), at__gte=start,
                                          at__lte=self.end):
            raw = (event.detail or {}).get("started_at" if event.kind == ev.RESTART else "stats_reset")
            try:
                when = dt.datetime.fromisoformat(raw) if isinstance(raw, str) else event.at
            except ValueError:
                when = event.at
            out.append((min(when, event.at), RESET_KINDS[event.kind]))
        return sorted(out)

    def index_scans_since(self, start: dt.datetime) -> dict[int, tuple[int, dt.datetime]]:
        """Per index seq: reset-aware scans from ``start`` to the end of the window, and its first sample
        since ``start`` (indexes sampled once only are left out)."""
        if start not in self._scans_since:
            with connection.cursor() as cur:
                cur.execute(SQL_FILES.load("index_scans"), {"t": self.target.pk, "start": start, "end": self.end})
                self._scans_since[start] = {seq: (int(scans or 0), since)
                                            for seq, since, until, scans in cur.fetchall() if until > since}
        return self._scans_since[start]

    # -- what was collected ------------------------------------------------------------------------

    def _latest(self, table: str) -> dt.datetime | None:
        with connection.cursor() as cur:
            cur.execute(f"SELECT max(captured_at) FROM {table} WHERE target_id = %s", [self.target.pk])
            row = cur.fetchone()
        return row[0] if row else None

    @cached_property
    def _relations_at(self) -> dt.datetime | None:
        return self._latest("monitoring_relation_raw")

    def relations_collected_at(self) -> dt.datetime | None:
        """When the relations collector last stored a snapshot; None before the first. A database with
        no index at all has an empty list of indexes *and* a date here."""
        return self._relations_at

    @cached_property
    def _bloat_at(self) -> dt.datetime | None:
        return self._latest("monitoring_bloat_raw")

    def bloat_collected_at(self) -> dt.datetime | None:
        return self._bloat_at

    @cached_property
    def _statements_at(self) -> dt.datetime | None:
        return self._latest("monitoring_stmt_raw")

    def statements_collected_at(self) -> dt.datetime | None:
        return self._statements_at

    def collector_status(self, collector: str) -> CollectorStatus | None:
        return CollectorStatus.objects.filter(target=self.target, collector=collector).first()

    # -- database, activity, settings, sequences ---------------------------------------------------

    @cached_property
    def _database(self) -> DatabaseInfo | None:
        latest = database_selectors.database_latest(self.target.pk)
        if latest is None:
            return None
        res = resolution(self.end - self.start, TOTALS)   # sums over the window: every sample kept
        points = database_selectors.database_series(self.target.pk, self.start, self.end, res=res)
        hit, read = latest.get("blks_hit") or 0, latest.get("blks_read") or 0
        return DatabaseInfo(
            size_bytes=latest.get("size_bytes"), xid_age=latest.get("xid_age"), mxid_age=latest.get("mxid_age"),
            cache_hit_ratio=hit / (hit + read) if hit + read else None, intervals=len(points),
            seconds=sum(p.seconds for p in points), temp_files=sum(p.temp_files for p in points),
            temp_bytes=sum(p.temp_bytes for p in points),
            checkpoints_timed=sum(p.checkpoints_timed for p in points) if points else None,
            checkpoints_req=sum(p.checkpoints_req for p in points) if points else None,
            wal_bytes=sum(p.wal_bytes for p in points),
        )

    def database(self) -> DatabaseInfo | None:
        return self._database

    @cached_property
    def _activity(self) -> ActivityPeaks | None:
        with connection.cursor() as cur:
            cur.execute(SQL_FILES.load("activity_peaks"), {"t": self.target.pk, "start": self.start, "end": self.end})
            row = cur.fetchone()
        if row is None or not row[0]:
            return None
        return ActivityPeaks(samples=row[0], longest_idle_tx_seconds=row[1], longest_idle_tx_at=row[2],
                             longest_query_seconds=row[3], longest_query_at=row[4], oldest_xmin_age=row[5])

    def activity(self) -> ActivityPeaks | None:
        return self._activity

    @cached_property
    def _settings(self) -> dict[str, SettingValue]:
        return {s.name: s for s in settings_current(self.target.pk)}

    def settings(self) -> dict[str, SettingValue]:
        return self._settings

    def sequence_snapshots(self) -> tuple[SequenceSnapshot | None, SequenceSnapshot | None]:
        """The latest sequences snapshot and the oldest one in the window (for growth rates)."""
        qs = SequenceSnapshot.objects.filter(target=self.target)
        latest = qs.order_by("-captured_at").first()
        oldest = qs.filter(captured_at__gte=self.start).order_by("captured_at").first()
        if latest is not None and oldest is not None and oldest.pk == latest.pk:
            oldest = None
        return latest, oldest
