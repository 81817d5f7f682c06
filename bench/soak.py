"""Soak test: the daemon (``run.py run``) against the sandbox outlets at very short intervals.

Runs the daemon as a subprocess for ``--cycles`` crawl cycles (a cycle: every outlet crawled
once more), publishing a new on-topic article every few cycles so that ingest, stories and
alerts (to a local webhook receiver) keep working. After each cycle it samples the daemon's
resident memory (VmRSS), its open file descriptors and its child processes from /proc; at the
end it stops the daemon with SIGTERM and checks that every crawl process it saw is gone.

    .venv/bin/python bench/soak.py [--cycles 100] [--outlets qdnd-en,bernama-en,thesun]

Prints RSS after cycle 10 and at the end, the growth between them (target: under 10 %), and
the fd and process counts (target: flat, nothing left behind).
"""

from __future__ import annotations

import argparse
import base64
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402

from sandbox import OutletSites, WebhookReceiver  # noqa: E402
from storage.models import AlertDelivery, Article, CrawlRun  # noqa: E402
from storage.status import CRAWL_FAILED, CrawlStatus, DeliveryStatus  # noqa: E402

TEXT = (
    "The navies of Vietnam and Malaysia agreed to expand their hotline and hold a joint search "
    "and rescue exercise in the South China Sea, officials of both countries said on {day}.\n"
    "The Royal Malaysian Navy and the Vietnam People's Navy will exchange liaison officers "
    "from next month, the statement said, in round {n} of the talks."
)


def proc_status(pid: int) -> dict[str, str]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        out[key] = value.strip()
    return out


def rss_mb(pid: int) -> float:
    return int(proc_status(pid)["VmRSS"].split()[0]) / 1024


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if proc_status(int(entry.name)).get("PPid") == str(pid):
                    found.append(int(entry.name))
            except (OSError, KeyError):
                continue
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--outlets", default="qdnd-en,bernama-en,thesun", help="comma-separated preset slugs")
    parser.add_argument("--interval", default="1s", help="schedule.crawl_interval")
    args = parser.parse_args()
    slugs = [s for s in args.outlets.split(",") if s]
    secret = "whsec_" + base64.b64encode(b"newswatch-soak-secret-0123456789").decode()

    with (
        tempfile.TemporaryDirectory(prefix="newswatch-soak-") as tmp,
        OutletSites() as sandbox,
        WebhookReceiver(secret=secret) as hook,
    ):
        folder = Path(tmp)
        db = folder / "soak.db"
        lines = [
            f'[storage]\ndatabase_url = "sqlite:///{db}"',
            '[crawler]\ndownload_delay = "0s"\nautothrottle = false\ntimeout = "10s"',
            "[outlets]\nenabled = [" + ", ".join(f'"{s}"' for s in slugs) + "]",
            f'[schedule]\ncrawl_interval = "{args.interval}"\njitter = "0s"\ncrawl_time_limit = "60s"\n'
            'dispatch_interval = "1s"',
            f'[channels.hook]\ntype = "webhook"\nurl = "{hook.url}"\nsecret_env = "SOAK_SECRET"',
            '[alerts]\noperator_channels = ["hook"]',
            '[watches.vn-my]\nquery = \'"Malaysia" AND "Vietnam"\'\nchannels = ["hook"]',
        ]
        lines += [f'[outlets.{s}]\nbase_url = "{t["base_url"]}"' for s, t in sandbox.outlet_overrides().items()]
        config = folder / "config.toml"
        config.write_text("\n\n".join(lines) + "\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")} | {"SOAK_SECRET": secret}
        log = (folder / "daemon.log").open("w")
        daemon = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), "--config", str(config), "run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        engine = create_engine(f"sqlite:///{db}")
        seen_children: set[int] = set()
        samples: list[tuple[int, float, int, int]] = []
        started = time.monotonic()
        cycle = 0
        try:
            while cycle < args.cycles:
                if daemon.poll() is not None:
                    print(f"the daemon exited with {daemon.returncode}; log: {folder / 'daemon.log'}")
                    print((folder / "daemon.log").read_text()[-3000:])
                    return 1
                try:
                    with engine.connect() as conn:
                        done = min(
                            conn.scalar(
                                select(func.count())
                                .select_from(CrawlRun)
                                .where(CrawlRun.status != CrawlStatus.RUNNING, CrawlRun.outlet.has(slug=s))
                            )
                            or 0
                            for s in slugs
                        )
                except OperationalError:
                    done = 0
                kids = children(daemon.pid)
                seen_children.update(kids)
                if done > cycle:
                    cycle = done
                    samples.append((cycle, rss_mb(daemon.pid), fd_count(daemon.pid), len(kids)))
                    if cycle % 5 == 0:
                        title = f"Vietnam and Malaysia navies talk, round {cycle}"
                        sandbox.publish(slugs[cycle % len(slugs)], title, TEXT.format(day="Monday", n=cycle))
                    if cycle % 10 == 0:
                        c, rss, fds, procs = samples[-1]
                        print(f"cycle {c:>4}  rss {rss:7.1f} MB  fds {fds:>4}  children {procs}", flush=True)
                time.sleep(0.2)
            elapsed = time.monotonic() - started
        finally:
            daemon.send_signal(signal.SIGTERM)
            code = daemon.wait(120)
            log.close()
        deadline = time.monotonic() + 10  # a crawl child may take a moment to notice its parent left
        while (leftover := [p for p in seen_children if Path(f"/proc/{p}").exists()]) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in leftover:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            print(f"still running after the daemon exited: pid {pid}: {cmdline[:200]}")
        with engine.connect() as conn:
            articles = conn.scalar(select(func.count()).select_from(Article))
            runs = conn.scalar(select(func.count()).select_from(CrawlRun))
            bad = conn.scalar(select(func.count()).select_from(CrawlRun).where(CrawlRun.status.in_(CRAWL_FAILED)))
            delivered = conn.scalar(
                select(func.count()).select_from(AlertDelivery).where(AlertDelivery.status == DeliveryStatus.DELIVERED)
            )
        engine.dispose()

    base = next((s for s in samples if s[0] >= 10), samples[0])
    end = samples[-1]
    growth = (end[1] - base[1]) / base[1] * 100
    print()
    print(
        f"{args.cycles} cycles of {len(slugs)} outlets ({', '.join(slugs)}) in {elapsed:.0f}s; interval {args.interval}"
    )
    print(f"crawl runs {runs} ({bad} failed/timeout), articles {articles}, alerts delivered {delivered}")
    print(f"RSS after cycle {base[0]}: {base[1]:.1f} MB; at the end (cycle {end[0]}): {end[1]:.1f} MB", end="")
    print(f"; growth {growth:+.1f} %")
    # Each running crawl holds a few of the daemon's fds (its pipe), so compare the lowest counts
    # of a window early on and of the last window: a leak raises the floor.
    early = min(s[2] for s in samples if base[0] <= s[0] < base[0] + 10) if len(samples) > 1 else base[2]
    late = min(s[2] for s in samples[-10:])
    print(f"open fds after cycle {base[0]}: {base[2]}; at the end: {end[2]}; max {max(s[2] for s in samples)}")
    print(f"lowest open fds in cycles {base[0]}-{base[0] + 9}: {early}; in the last 10 cycles: {late}")
    print(f"child processes: at most {max(s[3] for s in samples)} at a sample; {len(seen_children)} seen in all;"
          f" still alive after SIGTERM: {len(leftover)}")  # fmt: skip
    print(f"daemon exit status after SIGTERM: {code}")
    ok = growth < 10 and not leftover and code == 0 and late <= early
    print("PASS" if ok else "FAIL", "(targets: RSS growth < 10 % after cycle 10, no leaked fds or processes, exit 0)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
