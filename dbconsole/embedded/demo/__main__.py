"""``python -m dbconsole.embedded.demo`` — run the demo workload against the demo database."""

from __future__ import annotations

import logging

from dbconsole.embedded.demo import app_conninfo
from dbconsole.embedded.demo.server import demo_server
from dbconsole.embedded.demo.workload import run_forever

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    run_forever(app_conninfo(demo_server().cluster))
