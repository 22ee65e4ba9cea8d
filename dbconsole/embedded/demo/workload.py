"""The demo workload: an online shop's traffic, with the slow spots a DBA should find.

Loops, each in its own thread and connection, reconnecting after any error (an operator may cancel or
terminate demo backends from the UI — that must not end the demo):

* ``shop`` — logins by email and "my orders" / "my recent events" pages, none of them indexed
  (recurring sequential scans), product pages, purchases, event inserts, now and then a support ticket
  (which eats into the near-overflow int4 sequence).
* ``churn`` — stock updates on ``inventory`` (autovacuum off, non-HOT updates): dead tuples and bloat.
* ``reports`` — a slow aggregate over orders every few seconds.
* ``lock chain`` — every two minutes a transaction holds a row lock for 45 s while two sessions queue
  behind it.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg

log = logging.getLogger("dbconsole.demo")

LOCK_CHAIN_EVERY_S = 120
LOCK_HOLD_S = 45
FIRST_LOCK_CHAIN_AFTER_S = 20


class Workload:
    def __init__(self, conninfo: str, *, stop: threading.Event | None = None, seed: int = 7) -> None:
        self.conninfo = conninfo
        self.stop = stop or threading.Event()
        self.random = random.Random(seed)
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        loops: list[tuple[str, Callable[[psycopg.Connection[Any]], None]]] = [
            ("shop-1", self.shop_step),
            ("shop-2", self.shop_step),
            ("churn", self.churn_step),
            ("reports", self.report_step),
        ]
        for name, step in loops:
            self._spawn(name, self._loop, name, step)
        self._spawn("lock-chain", self._lock_chain_loop)

    def join(self) -> None:
        for thread in self.threads:
            thread.join()

    # -- steps (one unit of traffic each) --------------------------------------------------------

    def shop_step(self, conn: psycopg.Connection[Any]) -> None:
        r = self.random
        user_id = r.randint(1, 50000)
        roll = r.random()
        if roll < 0.25:
            conn.execute("SELECT id, name FROM users WHERE email = %s", (f"user{user_id}@example.com",))
        elif roll < 0.45:
            conn.execute(
                "SELECT id, status, total_cents FROM orders WHERE user_id = %s ORDER BY created_at DESC LIMIT 20",
                (user_id,),
            )
        elif roll < 0.60:
            conn.execute(
                "SELECT kind, count(*) FROM events WHERE user_id = %s AND created_at > now() - interval '7 days' "
                "GROUP BY kind",
                (user_id,),
            )
        elif roll < 0.80:
            conn.execute(
                "SELECT p.id, p.title, p.price_cents, i.in_stock FROM products AS p "
                "JOIN inventory AS i ON i.product_id = p.id WHERE p.sku = %s",
                (f"SKU-{r.randint(1, 5000):06d}",),
            )
        elif roll < 0.90:
            self._purchase(conn, user_id)
        elif roll < 0.995:
            conn.execute("INSERT INTO events (user_id, kind) VALUES (%s, %s)", (user_id, r.choice(["view", "search"])))
        else:
            conn.execute("INSERT INTO tickets (subject) VALUES (%s)", (f"Order problem for user {user_id}",))
        self._pause(0.05)

    def _purchase(self, conn: psycopg.Connection[Any], user_id: int) -> None:
        product_id = self.random.randint(1, 5000)
        with conn.transaction():
            row = conn.execute(
                "INSERT INTO orders (user_id, status, total_cents) VALUES (%s, 'new', %s) RETURNING id",
                (user_id, self.random.randint(500, 50000)),
            ).fetchone()
            assert row is not None
            conn.execute("INSERT INTO order_items (order_id, product_id, quantity) VALUES (%s, %s, 1)",
                         (row[0], product_id))
            conn.execute("UPDATE inventory SET in_stock = in_stock - 1, updated_at = now() WHERE product_id = %s",
                         (product_id,))

    def churn_step(self, conn: psycopg.Connection[Any]) -> None:
        start = self.random.randint(1, 4800)
        conn.execute(
            "UPDATE inventory SET in_stock = in_stock + 1, updated_at = now() "
            "WHERE product_id BETWEEN %s AND %s",
            (start, start + 150),
        )
        self._pause(1.0)

    def report_step(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute(
            "SELECT date_trunc('day', created_at) AS day, count(*), sum(total_cents) FROM orders "
            "WHERE created_at > now() - interval '90 days' GROUP BY 1 ORDER BY 1"
        )
        self._pause(5.0)

    # -- the lock chain --------------------------------------------------------------------------

    def _lock_chain_loop(self) -> None:
        self._pause(FIRST_LOCK_CHAIN_AFTER_S)
        while not self.stop.is_set():
            self.lock_chain_once(hold_s=LOCK_HOLD_S)
            self._pause(LOCK_CHAIN_EVERY_S - LOCK_HOLD_S)

    def lock_chain_once(self, *, hold_s: float, product_id: int = 42) -> None:
        """One incident: a holder keeps a row lock ``hold_s`` seconds; two sessions wait behind it."""
        try:
            with psycopg.connect(self.conninfo, application_name="demo-batch-job") as holder:
                holder.execute("UPDATE products SET price_cents = price_cents + 1 WHERE id = %s", (product_id,))
                waiters = [
                    self._spawn(f"waiter-{i}", self._wait_on_row, product_id, f"demo-checkout-{i}", daemon=True)
                    for i in (1, 2)
                ]
                self._pause(hold_s)
                holder.commit()
            for waiter in waiters:
                waiter.join(timeout=30)
        except psycopg.Error as exc:
            log.info("lock chain interrupted: %s", exc)

    def _wait_on_row(self, product_id: int, app: str) -> None:
        self._pause(1.0 + self.random.random())
        try:
            with psycopg.connect(self.conninfo, autocommit=True, application_name=app) as conn:
                conn.execute("UPDATE products SET title = title WHERE id = %s", (product_id,))
        except psycopg.Error as exc:
            log.info("%s: %s", app, exc)

    # -- plumbing ----------------------------------------------------------------------------------

    def _loop(self, name: str, step: Callable[[psycopg.Connection[Any]], None]) -> None:
        while not self.stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, application_name=f"demo-{name}") as conn:
                    while not self.stop.is_set():
                        step(conn)
            except psycopg.Error as exc:
                log.info("%s: %s; reconnecting", name, str(exc).strip().splitlines()[0] if str(exc) else exc)
                self._pause(2.0)

    def _spawn(self, name: str, target: Callable[..., None], *args: Any, daemon: bool = False) -> threading.Thread:
        thread = threading.Thread(target=target, args=args, name=name, daemon=daemon)
        thread.start()
        if not daemon:
            self.threads.append(thread)
        return thread

    def _pause(self, seconds: float) -> None:
        self.stop.wait(seconds)


def run_forever(conninfo: str) -> None:
    """Run until SIGTERM/SIGINT (the supervisor sends SIGTERM on Ctrl-C)."""
    import signal

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    workload = Workload(conninfo, stop=stop, seed=int(time.time()))
    workload.start()
    log.info("demo workload running")
    while not stop.is_set():
        stop.wait(1.0)
    workload.join()
