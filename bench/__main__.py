"""``python -m bench`` (``make bench``): run every benchmark and pass its ``bench NAME key=value`` lines on.

Each benchmark runs in its own process, so the clusters it starts are its own business; a failing one
is reported as ``bench NAME status=error`` and the others still run. ``python -m bench p1 p5`` runs a
subset (by module-name prefix).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ORDER = ["make_run", "p1_collection", "p2_storage", "p3_queries_page", "p4_fleet", "p5_tpch", "p6_oltp",
         "p6_star", "p7_alerts", "p8_api"]


def available() -> list[str]:
    present = {p.stem for p in BENCH_DIR.glob("*.py") if p.stem in ORDER}
    return [name for name in ORDER if name in present]


def main(argv: list[str]) -> int:
    chosen = [n for n in available() if not argv or any(n.startswith(a) for a in argv)]
    failures = 0
    for name in chosen:
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=BENCH_DIR.parent, check=False)
        if result.returncode != 0:
            failures += 1
            print(f"bench {name} status=error exit={result.returncode}", flush=True)
        print(f"bench {name} wall_s={time.monotonic() - started:.1f}", file=sys.stderr, flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
