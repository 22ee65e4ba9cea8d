"""The history store: what collectors write and what dashboards and the advisor read.

Small, regular tables are Django models (``monitoring.models``): statements and their de-duplicated
texts, relations, collector status, events, lock incidents and their trees, settings and their
changes, sequence snapshots. The big time series are native partitioned tables created by migration
``0003`` and read and written with SQL (``history/sql``), because Django can declare neither the
partitioning nor the array arithmetic the selectors need:

=============================  ============  ==========================  ===========================
table                          partitions    kept                        one row per
=============================  ============  ==========================  ===========================
monitoring_stmt_raw            daily         RETENTION_RAW_DAYS (7)      target and collection
monitoring_stmt_hour           monthly       RETENTION_HOURLY_DAYS (90)  target and hour (prefix sums)
monitoring_stmt_day            monthly       RETENTION_DAILY_DAYS (730)  target and day (prefix sums)
monitoring_activity_raw/_hour  daily/monthly raw / hourly                target and 10 s / hour
monitoring_database_raw/_hour/_day           raw / hourly / daily        target and 5 min / hour / day
monitoring_relation_raw/_hour/_day           raw / hourly / daily        target and 5 min / hour / day
monitoring_replication_raw/_hour             raw / hourly                target and minute / hour
monitoring_bloat_raw           monthly       hourly                      target and run
=============================  ============  ==========================  ===========================

Every row is keyed by (target_id, time). Per-statement and per-relation values are columnar: one
array per counter, indexed by a small per-target ``seq`` — compact on disk (TOAST compresses the
arrays) and cheap to read for thousands of statements at once. See ``statements`` (raw encoding),
``rollups_statements`` (prefix sums) and ``rollups`` (downsampling) for the details and the reasons.

Modules: ``partitions`` (create ahead, drop expired), ``arrays`` (binary array encoding),
``statements``/``statement_state``/``statement_delta`` (the statements writer), ``activity``,
``locks``, ``relations``, ``bloat``, ``snapshots``, ``configuration``, ``sequences`` (other writers),
``rollups``/``rollups_statements``, ``status`` (collector status), ``selectors/`` (reads). Writers take
the frozen snapshots of ``monitoring.pgstats``; a writer declares the partitioned tables it fills
(``PARTITIONED``) and their rollups (``ROLLUPS``), which ``discovery`` finds for ``partitions`` and
``rollups`` — no list to extend when a collector is added.
"""

from __future__ import annotations

from pgsql.sqlfiles import SqlDir

SQL = SqlDir(__file__)   # history/sql/<family>/<name>.sql — the store's own SQL, never sent to a target
