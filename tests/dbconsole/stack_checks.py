"""What `make run`'s test checks on the live stack beyond its pages: the API with a token made as the
README says, and an alert from the demo's lock chain delivered to a webhook channel added with the CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tests.alerts.receiver import Received, Receiver
from tests.alerts.schema import validate

ROOT = Path(__file__).resolve().parents[2]


def manage(home: Path, ports: dict[str, int], *args: str) -> subprocess.CompletedProcess[str]:
    """``manage.py`` against the running stack's store, as an operator types it beside ``make run``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBCONSOLE_", "DATABASE_URL", "REDIS_URL"))}
    env.update(DBCONSOLE_HOME=str(home), DBCONSOLE_PG_PORT=str(ports["pg"]), DBCONSOLE_REDIS_PORT=str(ports["redis"]))
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, text=True, capture_output=True,
                          timeout=240, check=False)


def check_api(opener: urllib.request.OpenerDirector, home: Path, ports: dict[str, int]) -> dict[str, str]:
    """The API, its docs page and /metrics on the demo, with a token made as the README says."""
    made = manage(home, ports, "api-token", "create", "admin", "--name", "make-run")
    assert made.returncode == 0 and re.fullmatch(r"dbc_[A-Za-z0-9_-]{43}\n", made.stdout), made.stderr
    bearer = {"Authorization": f"Bearer {made.stdout.strip()}"}
    base = f"http://127.0.0.1:{ports['web']}"
    health = json.loads(urllib.request.urlopen(urllib.request.Request(f"{base}/api/v1/targets/demo/health/",
                                                                      headers=bearer), timeout=60).read())
    assert health["status"] in ("ok", "warning", "critical", "unknown") and health["checks"]
    metrics = urllib.request.urlopen(urllib.request.Request(f"{base}/metrics", headers=bearer), timeout=60).read()
    assert b'dbconsole_target_info{enabled="true",server_version=' in metrics
    docs = opener.open(f"{base}/api/v1/docs/").read().decode()
    assert "swagger-ui-bundle.js" in docs
    assert opener.open(f"{base}/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status == 200
    return bearer


def add_webhook(home: Path, ports: dict[str, int], receiver: Receiver) -> None:
    """A generic webhook channel added with the CLI, as the README's Alerts section shows."""
    added = manage(home, ports, "alerts", "channel", "add", "oncall", "--webhook", receiver.url)
    assert added.returncode == 0, added.stdout + added.stderr


def check_lock_chain_alert(opener: urllib.request.OpenerDirector, port: int, receiver: Receiver,
                           bearer: dict[str, str]) -> None:
    """The demo's lock chain (held 45 s every two minutes) fires lock_wait with its root blocker named, the
    webhook gets it and then its resolution, and the Alerts page and the API list it."""
    def lock_wait(status: str) -> Callable[[Received], bool]:
        return lambda m: (isinstance(m.body, dict) and m.body.get("status") == status
                          and any(a["labels"].get("alertname") == "lock_wait" and a["labels"].get("target") == "demo"
                                  for a in m.body.get("alerts", [])))
    firing = receiver.wait_for(lock_wait("firing"), timeout=300, what="the demo's lock_wait alert")
    alert = next(a for a in firing.body["alerts"] if a["labels"]["alertname"] == "lock_wait")
    validate(firing.body)   # the documented Alertmanager-compatible payload
    notes = alert["annotations"]
    assert notes["root_application"] == "demo-batch-job" and notes["root_pid"] == alert["labels"]["root_pid"]
    assert "UPDATE products" in notes["root_query"] and notes["incident_url"].startswith("/t/demo/locks/incidents/")
    resolved = receiver.wait_for(
        lambda m: lock_wait("resolved")(m) and any(a["fingerprint"] == alert["fingerprint"] for a in m.body["alerts"]),
        timeout=300, what="its resolution")
    assert resolved.at > firing.at
    deadline = time.monotonic() + 60
    page = ""
    while time.monotonic() < deadline and "lock_wait" not in page:
        page = opener.open(f"http://127.0.0.1:{port}/t/demo/alerts/").read().decode()
        time.sleep(1)
    assert "lock_wait" in page and re.search(r"demo-batch-job", page), page[-2000:]
    listed = json.loads(urllib.request.urlopen(urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/targets/demo/alerts/?rule=lock_wait", headers=bearer), timeout=60).read())
    assert alert["fingerprint"] in {a["fingerprint"] for a in listed["results"]}, listed


def check_headline(opener: urllib.request.OpenerDirector, port: int) -> None:
    """The overview's headline over the default range names the demo's planted problems, each with its
    status: the lock incidents, the 93 % sequence, the missing indexes and the table with autovacuum off."""
    page = opener.open(f"http://127.0.0.1:{port}/t/demo/health/").read().decode()   # the overview loads it
    found = re.search(r'<section class="headline"[^>]*>(.*?)</section>', page, re.DOTALL)
    assert found is not None, page[-3000:]
    headline = found.group(1)
    items = dict(re.findall(r'data-item="([^"]+)" data-status="([^"]+)"', headline))
    assert items.get("locks") in ("warning", "critical"), items
    assert items.get("check:sequences") in ("warning", "critical") and "tickets_id_seq" in headline, items
    advisor = {key: status for key, status in items.items() if key.startswith("advisor:")}
    assert "warning" in advisor.values() or "critical" in advisor.values(), items
    assert "index" in headline.lower() and "autovacuum" in headline.lower(), headline[-3000:]
