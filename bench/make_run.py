"""``make run`` start-up: the first start (initdb, demo load) and the second start (state reused).

Target: a second start ready in under 20 s. Measured from spawning the supervisor to its "ready" line
(gunicorn answering the login page), in a throwaway state directory on free ports.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import REPO, say
from dbconsole.embedded.pgcluster import free_port


def start_until_ready(env: dict[str, str], timeout: float = 300.0) -> tuple[subprocess.Popen[str], float, float]:
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "dbconsole.embedded.run"], cwd=REPO, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"ready in ([\d.]+)s", line)
        if found:
            return process, time.monotonic() - started, float(found.group(1))
        if time.monotonic() - started > timeout:
            break
    process.kill()
    raise SystemExit("the supervisor never became ready")


def stop(process: subprocess.Popen[str]) -> float:
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    assert process.stdout is not None
    for _ in process.stdout:  # drain until it exits
        pass
    process.wait(timeout=120)
    return time.monotonic() - started


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="dbconsole-bench-run-")) / "state"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBCONSOLE_", "DATABASE_URL", "REDIS_URL"))}
    env.update(DBCONSOLE_HOME=str(home), DBCONSOLE_PORT=str(free_port()), DBCONSOLE_PG_PORT=str(free_port()),
               DBCONSOLE_DEMO_PG_PORT=str(free_port()), DBCONSOLE_REDIS_PORT=str(free_port()), PYTHONUNBUFFERED="1")
    try:
        say("make_run: first start (initdb, migrations, demo data)")
        process, first_wall, _ = start_until_ready(env)
        first_stop = stop(process)
        say("make_run: second start")
        process, second_wall, _ = start_until_ready(env)
        second_stop = stop(process)
    finally:
        shutil.rmtree(home.parent, ignore_errors=True)
    print(f"bench make_run first_start_s={first_wall:.1f} second_start_s={second_wall:.1f} "
          f"goal_second_start_s=20 stop_s={max(first_stop, second_stop):.1f}", flush=True)


if __name__ == "__main__":
    main()
