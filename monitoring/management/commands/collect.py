"""manage.py collect --target NAME [--collector NAME] --once — run collectors synchronously.

Prints one line per collector: ``collector=NAME rows=N ms=T status=ok|error: reason``. Without
``--once`` it keeps collecting in the foreground, each collector at its interval, until Ctrl-C (handy
without a Celery worker). Exits 1 when a collector failed.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.collectors import load_all
from monitoring.collectors.base import REGISTRY
from monitoring.collectors.runner import run
from monitoring.models import Target

# A one-shot run goes in this order (relations before bloat: the bloat store needs the Relation rows);
# every other registered collector follows, by name — nothing has to be added here for a new one.
ORDER = ("settings", "database", "activity", "locks", "statements", "relations", "bloat", "replication",
         "sequences")


def every_collector() -> list[str]:
    load_all()
    return [n for n in ORDER if n in REGISTRY] + sorted(set(REGISTRY).difference(ORDER))


class Command(BaseCommand):
    help = "Collect from a target now, printing one line per collector."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--target", required=True, help="target name (see manage.py targets list)")
        parser.add_argument("--collector", action="append", default=[],
                            help="collector to run (repeatable; default: all)")
        parser.add_argument("--once", action="store_true", help="run each collector once and exit")

    def handle(self, *args: Any, **opts: Any) -> None:
        everything = every_collector()
        target = Target.objects.filter(name=opts["target"]).first()
        if target is None:
            raise CommandError(f"no target named {opts['target']!r}; see manage.py targets list")
        names = opts["collector"] or everything
        unknown = [n for n in names if n not in REGISTRY]
        if unknown:
            raise CommandError(f"unknown collector(s) {', '.join(unknown)}; known: {', '.join(sorted(REGISTRY))}")
        if opts["once"]:
            failed = self.run_all(target, names)
            if failed:
                raise SystemExit(1)
            return
        self.loop(target, names)

    def run_all(self, target: Target, names: list[str]) -> int:
        failed = 0
        for name in names:
            result = run(target, name)
            self.stdout.write(result.line())
            failed += not result.ok
        return failed

    def loop(self, target: Target, names: list[str]) -> None:
        next_at = dict.fromkeys(names, 0.0)
        try:
            while True:
                now = time.monotonic()
                for name in names:
                    if now >= next_at[name]:
                        self.stdout.write(run(target, name).line())
                        next_at[name] = now + target.interval_for(name, REGISTRY[name].default_interval)
                time.sleep(max(0.2, min(next_at.values()) - time.monotonic()))
        except KeyboardInterrupt:
            self.stdout.write("stopped")
