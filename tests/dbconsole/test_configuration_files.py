"""docker-compose.yml and .env.example stay in step with the code (no Docker engine here to run them)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.management import get_commands

from dbconsole.queues import WORKER_QUEUES
from monitoring.collectors import load_all
from monitoring.collectors.base import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
CODE_DIRS = ("dbconsole", "monitoring", "advisor")
READ_PATTERN = re.compile(
    r"""(?:env_(?:str|bool|int|list|choice|secret)\(\s*|os\.environ(?:\.get)?\(\s*|os\.environ\[\s*)["']([A-Z][A-Z0-9_]+)["']"""
)
NOT_CONFIGURATION = {"DJANGO_SETTINGS_MODULE"}


def variables_read_by_code() -> set[str]:
    names: set[str] = set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            names.update(READ_PATTERN.findall(path.read_text()))
    return names - NOT_CONFIGURATION


def variables_in_env_example() -> set[str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z][A-Z0-9_]*=", line)}


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_it_lists_every_variable_the_code_reads_in_env_example() -> None:
    missing = variables_read_by_code() - variables_in_env_example()
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_it_reads_every_variable_that_env_example_documents() -> None:
    compose_only = {"HISTORY_DB_PASSWORD"}
    unused = variables_in_env_example() - variables_read_by_code() - compose_only
    assert not unused, f"documented but never read: {sorted(unused)}"


def test_it_has_the_production_services_with_a_healthy_history_store() -> None:
    services = compose()["services"]
    assert {"db", "redis", "web", "worker", "beat", "migrate"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert "healthcheck" in services["db"] and any("/var/lib/postgresql" in v for v in services["db"]["volumes"])
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_it_only_passes_variables_that_settings_read() -> None:
    read = variables_read_by_code()
    for name, service in compose()["services"].items():
        if name in {"db", "redis"}:
            continue
        passed = set(service.get("environment", {}))
        assert passed <= read, f"{name} passes variables nobody reads: {sorted(passed - read)}"
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "docker-compose.yml").read_text()))
    assert interpolated <= variables_in_env_example(), sorted(interpolated - variables_in_env_example())


def test_it_runs_commands_that_exist_in_the_code() -> None:
    commands = get_commands()
    consumed: set[str] = set()
    for name, service in compose()["services"].items():
        if name in {"db", "redis"}:
            continue
        argv = service["command"]
        if argv[0] == "gunicorn":
            module, _, attribute = argv[1].partition(":")
            assert hasattr(importlib.import_module(module), attribute)
        elif argv[0] == "celery":
            app = importlib.import_module(argv[2]).celery_app
            assert argv[3] in {"worker", "beat"} and app.main == "dbconsole"
            if argv[3] == "worker":
                consumed |= set(argv[argv.index("--queues") + 1].split(",")) if "--queues" in argv else {"celery"}
        elif argv[:2] == ["python", "manage.py"]:
            assert (ROOT / "manage.py").exists() and argv[2] in commands
        else:
            raise AssertionError(f"{name}: unrecognised command {argv}")
    assert consumed == set(WORKER_QUEUES), "compose workers must consume every queue tasks are routed to"
    dockerfile = (ROOT / "Dockerfile").read_text()
    for folder in ("pgsql", "dbconsole", "monitoring", "advisor", "templates", "static"):
        assert f"COPY {folder} {folder}" in dockerfile


def test_it_routes_tasks_only_to_queues_a_worker_consumes() -> None:
    load_all()
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    collector_queues = {cls.queue for cls in REGISTRY.values()}
    assert routed | collector_queues <= set(WORKER_QUEUES)
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"monitoring.dispatch", "monitoring.rollup", "monitoring.maintain", "advisor.run_all"} <= scheduled
