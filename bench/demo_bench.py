"""How long ``run.py demo`` takes, as a newcomer runs it: offline, from an empty folder.

The README promises the demo "in a few seconds"; this prints the wall time of each run, the
median, and the load average it was measured at (the demo crawls every sandbox outlet in a
child process and sends alerts, so on a loaded 2-core machine it takes several times longer).
A figure to read, not a timed test: tests/e2e/test_demo.py checks what the demo shows.

    .venv/bin/python bench/demo_bench.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def demo_time() -> float:
    """One ``run.py demo`` from a fresh empty folder, with the NEWSWATCH_* environment cleared."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, str(ROOT / "run.py"), "demo"], cwd=folder, env=env, capture_output=True, text=True
        )
        took = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"run.py demo failed: {result.stderr.strip()[-2000:]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="demo runs (default 3)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    times = []
    for n in range(1, args.runs + 1):
        times.append(demo_time())
        print(f"run {n}: {times[-1]:.1f} s")
    print(f"run.py demo: median {statistics.median(times):.1f} s over {args.runs} runs", end="")
    print(f" (load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    main()
