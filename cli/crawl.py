"""``crawl [OUTLET...]``: crawl now, once, and print what each outlet gave.

The table is also ``run --once``'s: per outlet, links discovered, skipped as known or too
old, fetched, stored, duplicates, pages without text, failures with their reasons. The exit
status is 1 when an outlet's crawl failed, or found links and kept none (``unmatched``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cli import terminal
from cli.command import Commands, UsageError, add_command
from cli.output import Column, table
from cli.signals import StopSignals

if TYPE_CHECKING:
    from app import App
    from config import Config, OutletConfig
    from crawler.runner import CrawlSummary

CRAWL_COLUMNS = (
    Column("outlet", 14),
    Column("status", 9),
    Column("found", 5, right=True),
    Column("known", 5, right=True),
    Column("old", 4, right=True),
    Column("fetched", 7, right=True),
    Column("stored", 6, right=True),
    Column("dup", 4, right=True),
    Column("empty", 5, right=True),
    Column("failed", 6, right=True),
    Column("reasons", clip=300),
)


def crawl(app: App, args: argparse.Namespace) -> int:
    """Crawl the named outlets (default every enabled one), then print the summary table."""
    from crawler.runner import run_crawl

    cfg = app.config
    outlets = select_outlets(cfg, args.outlets)
    app.upgrade()
    live = sys.stderr.isatty() and not args.quiet

    def progress(slug: str, message: str) -> None:
        if live:  # the line is redrawn with our own control codes, the text escaped
            raw = getattr(sys.stderr, "raw", sys.stderr)
            raw.write("\r\033[K" + terminal.escape(f"{slug}: {message}")[:150])
            raw.flush()

    with StopSignals() as stop:
        summaries = run_crawl(
            cfg,
            outlets,
            app.ingestor().ingest,
            app.sessions,
            time_limit=cfg.schedule.crawl_time_limit,
            progress=progress,
            stop=stop.event,
        )
    if live:
        getattr(sys.stderr, "raw", sys.stderr).write("\r\033[K")
    status = report_crawls(summaries, "alerts they matched are queued for the daemon (or: run.py alerts send)")
    return stop.exit_status(status)


def register(commands: Commands) -> None:
    parser = add_command(
        commands, "crawl", crawl, help="crawl now, once (all enabled outlets or those named) and print a summary"
    )
    parser.add_argument("outlets", nargs="*", metavar="OUTLET", help="outlet names (default: every enabled outlet)")
    parser.add_argument("--quiet", action="store_true", help="no progress line on a terminal")


def select_outlets(cfg: Config, slugs: Sequence[str]) -> list[OutletConfig]:
    if not slugs:
        return list(cfg.outlets)
    known = {o.slug: o for o in cfg.outlets}
    missing = [s for s in slugs if s not in known]
    if missing:
        raise UsageError(f"no enabled outlet named {', '.join(missing)} (enabled: {', '.join(known) or 'none'})")
    return [known[s] for s in slugs]


def report_crawls(summaries: Sequence[CrawlSummary], alerts: str) -> int:
    """The table of ``crawl`` and ``run --once``; exit status 1 when an outlet failed or kept
    none of the links it found (``unmatched``)."""
    from storage.status import CRAWL_FAILED, CRAWL_UNSUCCESSFUL, CrawlStatus

    rows = []
    for s in summaries:
        reasons = ", ".join(f"{reason} x{n}" for reason, n in sorted(s.failures.items(), key=lambda kv: -kv[1]))
        if s.status in CRAWL_UNSUCCESSFUL and s.error:
            reasons = s.error
        counts = (s.discovered, s.skipped_known, s.skipped_old, s.fetched, s.stored, s.duplicates, s.extract_empty)
        rows.append((s.outlet, s.status, *counts, s.failed, reasons))
    print(table(CRAWL_COLUMNS, rows))
    print(f"stored {sum(s.stored for s in summaries)} new articles; {alerts}")
    failed = [s.outlet for s in summaries if s.status in CRAWL_FAILED]
    if failed:
        print(f"error: {len(failed)} outlet(s) failed: {', '.join(failed)}", file=sys.stderr)
    unmatched = [s.outlet for s in summaries if s.status == CrawlStatus.UNMATCHED]
    if unmatched:
        print(
            f"error: {len(unmatched)} outlet(s) found links but kept none (unmatched): {', '.join(unmatched)}; "
            f"see why with: run.py outlets check {unmatched[0]}",
            file=sys.stderr,
        )
    return 1 if failed or unmatched else 0
