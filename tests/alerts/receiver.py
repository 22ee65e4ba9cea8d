"""A real HTTP receiver on 127.0.0.1 for webhook tests: the network edge is the only thing faked.

It records every POST (path, headers, JSON body) and answers with ``status`` (change it to make the
channel fail). ``wait_for(predicate, timeout)`` blocks until a received message satisfies it. ``hold``
keeps the answer to the messages it matches until ``release`` is set: a slow channel, the sender still
inside its HTTP call.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    body: Any
    at: float


@dataclass
class Receiver:
    url: str
    status: int = 200
    messages: list[Received] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    hold: Callable[[Any], bool] | None = None
    release: threading.Event = field(default_factory=threading.Event)

    def wait_for(self, predicate: Callable[[Received], bool], timeout: float = 60.0,
                 what: str = "a message") -> Received:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = next((m for m in self.messages if predicate(m)), None)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"the receiver never got {what}; got {[m.body for m in self.messages]}")
                self.changed.wait(min(left, 0.5))

    def bodies(self) -> list[Any]:
        with self.changed:
            return [m.body for m in self.messages]


@contextmanager
def http_receiver(path: str = "/hook") -> Iterator[Receiver]:
    box: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            receiver = box["r"]
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
            with receiver.changed:
                receiver.messages.append(Received(self.path, body, time.monotonic()))
                receiver.changed.notify_all()
            if receiver.hold is not None and receiver.hold(body):
                receiver.release.wait(timeout=120)
            self.send_response(receiver.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box["r"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}{path}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box["r"]
    finally:
        box["r"].release.set()
        server.shutdown()
        server.server_close()
