from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from dbconsole.env import env_bool, env_int, env_list, env_secret, parse_database_url


def test_it_reads_booleans_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "off")
    assert env_bool("X_FLAG", default=True) is False
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG='maybe' is not a boolean"):
        env_bool("X_FLAG")


def test_it_reads_integers_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_PORT", "8080")
    assert env_int("X_PORT", 1, minimum=1, maximum=65535) == 8080
    monkeypatch.setenv("X_PORT", "80a")
    with pytest.raises(ImproperlyConfigured, match="X_PORT='80a' is not an integer"):
        env_int("X_PORT", 1)
    monkeypatch.setenv("X_PORT", "70000")
    with pytest.raises(ImproperlyConfigured, match="X_PORT=70000 is above the maximum 65535"):
        env_int("X_PORT", 1, maximum=65535)
    monkeypatch.delenv("X_PORT")
    assert env_int("X_PORT", 5) == 5


def test_it_requires_secrets_and_never_echoes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("X_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="X_SECRET must be set"):
        env_secret("X_SECRET", required=True)
    monkeypatch.setenv("X_SECRET", "short-secret")
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_secret("X_SECRET", required=True)
    assert "short-secret" not in str(excinfo.value)


def test_it_splits_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_HOSTS", " a.example , b.example,,")
    assert env_list("X_HOSTS") == ["a.example", "b.example"]


def test_it_parses_a_database_url() -> None:
    parsed = parse_database_url("DATABASE_URL", "postgresql://app:p%40ss@db.internal:6543/history?sslmode=require")
    assert parsed["HOST"] == "db.internal" and parsed["PORT"] == "6543" and parsed["NAME"] == "history"
    assert parsed["USER"] == "app" and parsed["PASSWORD"] == "p@ss"
    assert parsed["OPTIONS"] == {"sslmode": "require"}
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must start with postgresql://"):
        parse_database_url("DATABASE_URL", "mysql://x@y/z")
    with pytest.raises(ImproperlyConfigured, match="must name a host and a database"):
        parse_database_url("DATABASE_URL", "postgresql://x@y")


def _settings_in_subprocess(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DBCONSOLE_", "DATABASE_URL"))}
    clean.update(env)
    code = "from django.conf import settings; settings.DATABASES; print('loaded')"
    return subprocess.run([sys.executable, "-c", code], env={**clean, "DJANGO_SETTINGS_MODULE": "dbconsole.settings"},
                          capture_output=True, text=True, check=False)


def test_it_stops_at_start_naming_a_malformed_variable(tmp_path: os.PathLike[str]) -> None:
    result = _settings_in_subprocess(DBCONSOLE_HOME=str(tmp_path), DBCONSOLE_TARGET_LOCK_TIMEOUT_MS="soon")
    assert result.returncode != 0
    assert "DBCONSOLE_TARGET_LOCK_TIMEOUT_MS='soon' is not an integer" in result.stderr


def test_it_demands_every_secret_in_production(tmp_path: os.PathLike[str]) -> None:
    result = _settings_in_subprocess(DBCONSOLE_HOME=str(tmp_path), DATABASE_URL="postgresql://u:p@db/history")
    assert result.returncode != 0 and "DBCONSOLE_SECRET_KEY must be set" in result.stderr
    result = _settings_in_subprocess(
        DBCONSOLE_HOME=str(tmp_path), DATABASE_URL="postgresql://u:p@db/history",
        DBCONSOLE_SECRET_KEY="x" * 40,
    )
    assert result.returncode != 0 and "DBCONSOLE_FERNET_KEYS must be set" in result.stderr
    result = _settings_in_subprocess(
        DBCONSOLE_HOME=str(tmp_path), DATABASE_URL="postgresql://u:p@db/history",
        DBCONSOLE_SECRET_KEY="x" * 40, DBCONSOLE_FERNET_KEYS="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    )
    assert result.returncode == 0, result.stderr
    assert "loaded" in result.stdout


def test_it_generates_embedded_secrets_once_with_private_permissions(tmp_path: os.PathLike[str]) -> None:
    first = _settings_in_subprocess(DBCONSOLE_HOME=str(tmp_path))
    assert first.returncode == 0, first.stderr
    key_file = os.path.join(tmp_path, "fernet-key")
    secret_file = os.path.join(tmp_path, "secret-key")
    assert oct(os.stat(key_file).st_mode & 0o777) == "0o600"
    assert oct(os.stat(secret_file).st_mode & 0o777) == "0o600"
    before = Path(key_file).read_text()
    _settings_in_subprocess(DBCONSOLE_HOME=str(tmp_path))
    assert Path(key_file).read_text() == before
