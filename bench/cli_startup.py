"""How long ``run.py`` takes to start: ``--help`` and ``status`` on a small SQLite database.

Prints, for each command, the median wall time of several runs and the modules that cost the
most to import (from ``python -X importtime``), so a heavy import that slipped back into the
start-up path shows by name. A figure to read, not a timed test.

    .venv/bin/python bench/cli_startup.py [--runs 7]
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


def run(args: list[str], env: dict[str, str], importtime: bool = False) -> subprocess.CompletedProcess[str]:
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run(
        [sys.executable, *flags, str(ROOT / "run.py"), *args], env=env, cwd=ROOT, capture_output=True, text=True
    )


def wall_times(args: list[str], env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = run(args, env)
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise SystemExit(f"run.py {' '.join(args)} failed: {result.stderr.strip()}")
    return times


def heaviest_imports(args: list[str], env: dict[str, str], top: int) -> tuple[float, list[tuple[float, str]]]:
    """Total import time and the costliest top-level imports (cumulative, in seconds)."""
    lines = run(args, env, importtime=True).stderr.splitlines()
    roots: list[tuple[float, str]] = []
    for line in lines:
        if not line.startswith("import time:") or "|" not in line:
            continue
        _self, cumulative, name = line[len("import time:") :].split("|")
        if not cumulative.strip().isdigit():
            continue  # the header line
        depth = (len(name) - len(name.lstrip())) // 2
        if depth == 0:  # imported by run.py itself or by the interpreter at start
            roots.append((int(cumulative) / 1e6, name.strip()))
    total = sum(seconds for seconds, _name in roots)
    return total, sorted(roots, reverse=True)[:top]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--top", type=int, default=8)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newswatch-startup-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
        env["NEWSWATCH_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'nw.db'}"
        upgraded = run(["db", "upgrade"], env)
        if upgraded.returncode != 0:
            raise SystemExit(f"run.py db upgrade failed: {upgraded.stderr.strip()}")
        for args in (["--help"], ["status"]):
            times = wall_times(args, env, opts.runs)
            total, heaviest = heaviest_imports(args, env, opts.top)
            print(
                f"run.py {' '.join(args)}: median {statistics.median(times):.3f}s, "
                f"min {min(times):.3f}s over {opts.runs} runs; imports {total:.3f}s"
            )
            for seconds, name in heaviest:
                print(f"    {seconds:7.3f}s  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
