"""Schemathesis (its CLI, as a user would run it) against the live API of a real collected, advised target
on PostgreSQL 15 and 18: generated inputs, valid and invalid, on every operation — zero 5xx, every status
code, content type, header and body as the schema says, invalid input refused, auth never ignored,
undeclared methods answered 405.

As an admin it exercises every operation but two: adding a target (generated connection strings would
point at hosts anywhere) and removing one (it would delete the scene under test); a viewer's run covers
those two as well (refused with 403 before anything is read from the body). On PostgreSQL 18 the
coverage phase adds every boundary and hostile value it derives from the schema. Example counts are
bounded: the whole module takes a few minutes on a loaded 2-core machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import redis
from django.contrib.auth.models import Group, User

from dbconsole.access import ROLES
from tests.api.conftest import token_for
from tests.api.scene import build
from tests.monitoring.test_tasks import broker  # noqa: F401  (the fixture: Celery on the test's Redis)

os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")
ST = Path(sys.executable).with_name("st")
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,"
          "response_schema_conformance,negative_data_rejection,unsupported_method,ignored_auth")
PHASES = {15: ("fuzzing", "6"), 18: ("coverage,fuzzing", "4")}


def schemathesis(base: str, token: str, report: Path, phases: str, examples: str, *extra: str) -> dict[str, Any]:
    """Run ``st run`` on the live server; its JSON report, after checking it found nothing."""
    argv = [str(ST), "run", f"{base}/api/v1/schema/", "--url", base, "-H", f"Authorization: Bearer {token}",
            "--checks", CHECKS, "--phases", phases, "--max-examples", examples, "--mode", "all", "--workers", "1",
            "--seed", "4242", "--request-timeout", "60", "--suppress-health-check", "too_slow,filter_too_much",
            "--report", "json", "--report-json-path", str(report), *extra]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=900, cwd=report.parent,
                          env={**os.environ, "NO_COLOR": "1"})
    (report.parent / f"{report.stem}.log").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    found = json.loads(report.read_text())
    assert found["complete"] and found["failures"] == [] and found["errors"] == [], found["failures"][:3]
    assert found["test_cases"]["with_failures"] == 0 and found["test_cases"]["errored"] == 0
    assert found["operations"]["tested"] == found["operations"]["selected"] > 0
    return dict(found)


@pytest.mark.parametrize("major", [15, 18])
def test_it_survives_schemathesis_on_a_real_target(major: int, live_server: Any, request: pytest.FixtureRequest,
                                                   tmp_path: Path, broker: redis.Redis) -> None:  # noqa: F811
    for role in ROLES:   # live-server tests flush the database, data migrations included
        Group.objects.get_or_create(name=role)
    admin = User.objects.create_user("st-admin")
    admin.groups.add(Group.objects.get(name="admin"))
    viewer = User.objects.create_user("st-viewer")
    viewer.groups.add(Group.objects.get(name="viewer"))
    phases, examples = PHASES[major]
    for _scene in build(request.getfixturevalue(f"pg{major}_cluster"), prefix="st"):
        as_admin = schemathesis(live_server.url, token_for(admin), tmp_path / "admin.json", phases, examples,
                                "--exclude-operation-id", "target_add", "--exclude-operation-id", "target_remove")
        assert as_admin["operations"]["selected"] == as_admin["operations"]["total"] - 2
        assert as_admin["test_cases"]["generated"] >= 4 * as_admin["operations"]["selected"]
        as_viewer = schemathesis(live_server.url, token_for(viewer), tmp_path / "viewer.json", "fuzzing", "3",
                                 "--include-method", "POST", "--include-method", "DELETE")
        assert as_viewer["operations"]["tested"] == 9   # every POST and DELETE, the two left out above too
