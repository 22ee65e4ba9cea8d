"""The web worker's entry point: the application loads with every view, and what lives as long as the
worker is out of the garbage collector's walks (a fresh interpreter, as gunicorn starts one)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import gc, json, sys
before = gc.get_freeze_count()
import dbconsole.wsgi
views = sorted(m for m in ("api.metrics.view", "monitoring.views", "alerts.views") if m in sys.modules)
print(json.dumps({"before": before, "frozen": gc.get_freeze_count(), "views": views,
                  "callable": callable(dbconsole.wsgi.application)}))
"""


def test_it_loads_every_view_and_freezes_what_lives_as_long_as_the_worker() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dbconsole.settings"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["callable"] and found["before"] == 0
    assert found["frozen"] > 50_000      # Django and our modules: ~140,000 measured
    assert found["views"] == ["alerts.views", "api.metrics.view", "monitoring.views"]
