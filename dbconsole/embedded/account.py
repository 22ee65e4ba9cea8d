"""The account ``make run``'s services run as: when started as root, the unprivileged system user
``dbconsole`` (the one PostgreSQL already runs as), so neither a Celery task nor a web request nor Redis
ever runs with root's rights.

The services read the checkout, the static files and the secrets settings need; they write only in
``var/`` (the beat schedule). The secrets are handed to the system user and stay mode 0600; root keeps
writing logs in its own ``logs/`` and never writes into a directory the system user controls.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbconsole.embedded import home
from dbconsole.embedded.pgcluster import ensure_system_user, make_traversable, running_as_root


@dataclass(frozen=True)
class ServiceAccount:
    name: str
    uid: int
    gid: int

    def popen_kwargs(self) -> dict[str, Any]:
        """``subprocess.Popen`` arguments that start a process as this account, with no extra groups."""
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def environ(self, env: dict[str, str]) -> dict[str, str]:
        # getpass.getuser() (the audit trail's CLI actor) reads LOGNAME/USER first: make them true.
        return {**env, "HOME": str(home.var_dir()), "USER": self.name, "LOGNAME": self.name}


def service_account() -> ServiceAccount | None:
    """The system user when we are root (created on first use), else None: stay who we are."""
    if not running_as_root():
        return None
    user = ensure_system_user()
    return ServiceAccount(name=user.pw_name, uid=user.pw_uid, gid=user.pw_gid)


class AccountError(RuntimeError):
    """The services cannot run as the system user; the message says what to change."""


def prepare(account: ServiceAccount | None) -> list[Path]:
    """Make ``var/`` writable and the service secrets readable for ``account`` (mode 0600 kept), and the
    checkout and the Python interpreter reachable; returns the directories that got a search bit."""
    state = home.ensure_home()
    var = home.var_dir()
    if not var.is_dir():
        var.mkdir(mode=0o700)
    if account is None:
        return []
    interpreter = Path(os.path.realpath(sys.executable))
    opened = make_traversable(home.BASE_DIR) + make_traversable(interpreter.parent)
    opened += make_traversable(Path(sys.base_prefix))
    os.chown(var, account.uid, account.gid)
    var.chmod(0o700)
    for name in home.SERVICE_SECRETS:
        path = state / name
        if path.exists():
            os.chown(path, account.uid, account.gid)
            path.chmod(0o600)
    _try_import(account)
    return opened


def _try_import(account: ServiceAccount) -> None:
    """Fail now, with the reason, rather than with three services dying one after the other."""
    probe = subprocess.run(
        [sys.executable, "-c", "import django, celery, gunicorn, dbconsole.embedded.home"],
        cwd=str(home.BASE_DIR), env=account.environ(dict(os.environ)), capture_output=True, text=True,
        check=False, timeout=60, **account.popen_kwargs(),
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["no output"])[-1]
        raise AccountError(f"the system user {account.name} cannot run {sys.executable} in {home.BASE_DIR} "
                           f"({last}); make the checkout and the interpreter readable to it")
