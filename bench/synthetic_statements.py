"""Synthetic pg_stat_statements reads for P3: a week of one-minute collections of 5,000 statements.

No target is involved: each minute produces the ``Read`` the collector would have built from
``pg_stat_statements`` (cumulative counters of every entry), and the bench hands it to the real store.
What makes it a fair stand-in for a production database:

* **Heavy tail.** Statement ``r`` (a random rank) runs ``PEAK / r**ALPHA`` times a minute on average:
  a few hundred statements run every minute, the rest a few times an hour or a day. About a fifth of
  the statements change in a given minute — the raw rows are as sparse as real ones.
* **Daily rhythm.** Activity follows the hour of day (quiet at night), so charts have a shape.
* **Churn.** Most statements exist from the start; the rest appear during the week (deploys).
* **Varied costs.** Per-call time, rows, buffer hits/reads are per statement (log-normal) with jitter
  per minute; some statements spill to temp files, some write (WAL, dirtied blocks).
* **A restart and a reset.** A quarter in, the server restarts (``started_at`` moves; counters survive,
  as pg_stat_statements saves them on a clean shutdown); half-way, someone calls
  ``pg_stat_statements_reset()`` (``stats_reset`` moves, every counter starts again from zero). The
  store records both events and the charts mark them.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from monitoring.pgstats import statements as pgss
from monitoring.pgstats.statements import COUNTERS, Key

PEAK = 2000.0          # calls a minute of the busiest statement
ALPHA = 1.3            # tail exponent: ~350 statements run every minute, ~650 more at random
DBID = 16401
DATNAME = "shop"
USERS = ((16501, "app", 0.7), (16502, "reporting", 0.15), (16503, "batch", 0.1), (16504, "admin", 0.05))
C = {name: i for i, name in enumerate(COUNTERS)}
PREFIX = 4             # userid, dbid, queryid, toplevel precede the counters in a read row

_TEMPLATES = (
    "SELECT o.id, o.total, o.status FROM {t} AS o WHERE o.customer_id = $1 AND o.status = $2 "
    "ORDER BY o.created_at DESC LIMIT $3",
    "SELECT count(*) FROM {t} WHERE created_at >= $1 AND created_at < $2",
    "UPDATE {t} SET status = $1, updated_at = now() WHERE id = $2",
    "INSERT INTO {t} (customer_id, total, status) VALUES ($1, $2, $3) RETURNING id",
    "SELECT c.id, c.name, sum(o.total) AS revenue FROM customers AS c JOIN {t} AS o ON o.customer_id = c.id "
    "WHERE o.created_at >= $1 GROUP BY c.id, c.name ORDER BY revenue DESC LIMIT $2",
    "DELETE FROM {t} WHERE expires_at < $1",
    "SELECT * FROM {t} WHERE sku = ANY($1) FOR UPDATE SKIP LOCKED",
    "WITH recent AS (SELECT customer_id, max(created_at) AS last FROM {t} GROUP BY customer_id) "
    "SELECT r.customer_id, r.last, c.email FROM recent AS r JOIN customers AS c ON c.id = r.customer_id "
    "WHERE r.last < $1 ORDER BY r.last",
)


@dataclass
class Profile:
    calls_per_min: float
    exec_us: int           # per call
    rows: int              # per call
    hit: int               # shared blocks hit per call
    read: int              # shared blocks read per call
    temp: int              # temp blocks per call (0 for most)
    wal: int               # WAL bytes per call (0 for reads)
    appears: int           # minute index of the first call


class Synthetic:
    """``statements`` statements over ``minutes`` minutes from ``start``; ``reads()`` yields
    ``(captured_at, Read)`` one minute apart (the first one is the collector's baseline)."""

    def __init__(self, start: dt.datetime, minutes: int, statements: int = 5000, seed: int = 3) -> None:
        self.start, self.minutes, self.rng = start, minutes, random.Random(seed)
        rng = self.rng
        ranks = list(range(1, statements + 1))
        rng.shuffle(ranks)
        self.profiles: list[Profile] = []
        self.rows: list[list[int]] = []
        self.texts: dict[Key, pgss.Text] = {}
        users = [u for u, _name, _w in USERS]
        weights = [w for _u, _name, w in USERS]
        names = {u: name for u, name, _w in USERS}
        for i, rank in enumerate(ranks):
            template = _TEMPLATES[i % len(_TEMPLATES)]
            writes = template.startswith(("UPDATE", "INSERT", "DELETE"))
            userid = rng.choices(users, weights)[0]
            self.profiles.append(Profile(
                calls_per_min=PEAK / rank ** ALPHA,
                exec_us=int(rng.lognormvariate(math.log(400), 1.4)) + 5,
                rows=int(rng.lognormvariate(0.5, 1.5)),
                hit=int(rng.lognormvariate(2, 1.2)) + 1,
                read=int(rng.lognormvariate(0, 1.5)) if rng.random() < 0.4 else 0,
                temp=int(rng.lognormvariate(4, 1)) if rng.random() < 0.05 else 0,
                wal=int(rng.lognormvariate(6, 1)) if writes else 0,
                appears=0 if rng.random() < 0.8 else rng.randrange(minutes),
            ))
            queryid = rng.getrandbits(63) - (1 << 62)
            # Distinct texts: a table per statement and a comment naming its code path.
            text = f"/* svc:{names[userid]} path:{i} */ " + template.format(t=f"orders_{i % 400}")
            key = (userid, DBID, queryid, True)
            self.texts[key] = pgss.Text(query=text, usename=names[userid], datname=DATNAME)
            self.rows.append([*key, *([0] * len(COUNTERS)), 0])
        self.keys: list[Key] = [(r[0], r[1], r[2], bool(r[3])) for r in self.rows]
        self.tuples = [tuple(r) for r in self.rows]
        self.dirty: set[int] = set()
        self.arrivals = {p.appears for p in self.profiles}
        self.visible: list[int] = []
        self.busy = [i for i, p in enumerate(self.profiles) if p.calls_per_min >= 1]
        self.tail = [i for i, p in enumerate(self.profiles) if p.calls_per_min < 1]
        self.tail_cum = list(accumulate(self.profiles[i].calls_per_min for i in self.tail))
        self.restart_at, self.reset_at = minutes // 4, minutes // 2
        self.started_at = start - dt.timedelta(days=20)
        self.stats_reset = self.started_at   # pg_stat_statements_info.stats_reset: when the extension began

    def _rhythm(self, minute: int) -> float:
        at = self.start + dt.timedelta(minutes=minute)
        hour = at.hour + at.minute / 60
        return 0.55 + 0.45 * math.sin((hour - 8) / 24 * 2 * math.pi)

    def _run(self, i: int, calls: int) -> None:
        p, row, rng = self.profiles[i], self.rows[i], self.rng
        self.dirty.add(i)
        jitter = rng.lognormvariate(0, 0.35)
        row[PREFIX + C["calls"]] += calls
        row[PREFIX + C["exec_us"]] += int(calls * p.exec_us * jitter)
        row[PREFIX + C["rows"]] += calls * p.rows
        row[PREFIX + C["shared_blks_hit"]] += calls * p.hit
        if p.read:
            read = int(calls * p.read * jitter)
            row[PREFIX + C["shared_blks_read"]] += read
            row[PREFIX + C["shared_read_us"]] += read * 90
        if p.temp:
            row[PREFIX + C["temp_blks_read"]] += calls * p.temp
            row[PREFIX + C["temp_blks_written"]] += calls * p.temp
        if p.wal:
            row[PREFIX + C["shared_blks_dirtied"]] += calls
            row[PREFIX + C["wal_records"]] += calls * 2
            row[PREFIX + C["wal_bytes"]] += int(calls * p.wal * jitter)

    def step(self, minute: int) -> None:
        rng, rhythm = self.rng, self._rhythm(minute)
        if minute == self.restart_at:
            self.started_at = self.start + dt.timedelta(minutes=minute, seconds=-20)
        if minute == self.reset_at:
            for row in self.rows:
                row[PREFIX:PREFIX + len(COUNTERS)] = [0] * len(COUNTERS)
            self.dirty.update(range(len(self.rows)))
            self.stats_reset = self.start + dt.timedelta(minutes=minute, seconds=-30)
        for i in self.busy:
            if self.profiles[i].appears <= minute:
                mean = self.profiles[i].calls_per_min * rhythm
                calls = max(0, round(rng.gauss(mean, math.sqrt(mean))))
                if calls:
                    self._run(i, calls)
        expected = self.tail_cum[-1] * rhythm
        draws = max(0, round(rng.gauss(expected, math.sqrt(expected))))
        total = self.tail_cum[-1]
        for _ in range(draws):
            i = self.tail[bisect_right(self.tail_cum, rng.random() * total)]
            if self.profiles[i].appears <= minute:
                self._run(i, 1)

    def read(self, minute: int, known: frozenset[Key]) -> pgss.Read:
        for i in self.dirty:   # only rows that ran become new tuples: the rest are shared with the last read
            self.tuples[i] = tuple(self.rows[i])
        self.dirty.clear()
        if minute in self.arrivals or not self.visible:
            self.visible = [i for i, p in enumerate(self.profiles) if p.appears <= minute]
        rows = tuple(self.tuples[i] for i in self.visible)
        keys = tuple(self.keys[i] for i in self.visible)
        texts = {k: self.texts[k] for k in keys if k not in known}   # the collector fetches only new texts
        info = pgss.Info(started_at=self.started_at, stats_reset=self.stats_reset, dealloc=0)
        return pgss.Read(info=info, rows=rows, keys=keys, texts=texts)
