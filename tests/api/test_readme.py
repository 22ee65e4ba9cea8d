"""The README's API examples, run as written against a live server with a real demo-like target: the token
comes from ``manage.py api-token create admin`` (the README's first line), every curl must succeed."""

from __future__ import annotations

import io
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from dbconsole.access import ROLES
from tests.api.scene import build
from tests.monitoring.test_tasks import broker  # noqa: F401  (the fixture: Celery on the test's Redis)
from tests.support import components

os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")
README = Path(__file__).resolve().parents[2] / "README.md"
MAKE_RUN_URL = "http://127.0.0.1:8000"


def readme_example() -> list[str]:
    """The lines of the sh block under "### Try it"."""
    text = README.read_text()
    section = text[text.index("### Try it"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_it_runs_every_readme_example(live_server: Any, request: pytest.FixtureRequest, tmp_path: Path,
                                      broker: Any) -> None:  # noqa: F811
    components.require("curl and jq", bool(shutil.which("curl") and shutil.which("jq")), "apt-get install curl jq")
    for role in ROLES:   # live-server tests flush the database, data migrations included
        Group.objects.get_or_create(name=role)
    admin = User.objects.create_user("admin")
    admin.groups.add(Group.objects.get(name="admin"))
    lines = readme_example()
    token_line = lines[0]
    assert token_line.startswith("TOKEN=$(") and "manage.py api-token create admin" in token_line
    argv = shlex.split(token_line.removeprefix("TOKEN=$(").removesuffix(")"))
    out = io.StringIO()
    call_command(*argv[argv.index("manage.py") + 1:], stdout=out, stderr=io.StringIO())
    assert out.getvalue().count("\n") == 1          # the token alone on its own line
    token = out.getvalue().strip()
    script = "\n".join(line.replace(MAKE_RUN_URL, live_server.url) for line in lines[1:])
    assert sum(line.startswith("curl") or "$(curl" in line for line in lines) >= 10
    for _scene in build(request.getfixturevalue("pg18_cluster"), prefix="readme", name="demo"):
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True,
                              text=True, timeout=300, env={**os.environ, "TOKEN": token})
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "CONCURRENTLY" in (tmp_path / "migration.sql").read_text()
        assert '"status": "queued"' in done.stdout and "dbconsole_target_up{target=\"demo\"} 1.0" in done.stdout
