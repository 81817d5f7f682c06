"""``crawl [OUTLET...]``: crawl now, once, and print what each outlet gave; ``crawl-errors``:
the URLs failing now.

The table is also ``run --once``'s: per outlet, links discovered, skipped as known or too
old, fetched, stored, duplicates, pages without text, failures with their reasons, pages held
back because they failed before; then the first failed URLs, each with its reason and what
happens to it now (retried when, or given up). The exit status is 1 when an outlet's crawl
failed, or found links and kept none (``unmatched``). ``crawl-errors`` reads ``failed_urls``
(read-only: never migrates; ``--retry`` writes, so it upgrades first).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cli import terminal
from cli.command import Commands, UsageError, add_command, since, unknown_outlet
from cli.output import Column, ago, print_json, table
from cli.signals import StopSignals
from cli.terminal import cell

if TYPE_CHECKING:
    from app import App
    from config import Config, OutletConfig
    from crawler.runner import CrawlSummary, FailedPage
    from storage.models import FailedUrl

SHOW_FAILED = 10  # failed URLs listed under the table by default

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
    Column("held", 4, right=True),
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
            prepare=app.preparer(),
        )
    if live:
        getattr(sys.stderr, "raw", sys.stderr).write("\r\033[K")
    status = report_crawls(
        summaries, "alerts they matched are queued for the daemon (or: run.py alerts send)", args.show_failed
    )
    return stop.exit_status(status)


def register(commands: Commands) -> None:
    parser = add_command(
        commands, "crawl", crawl, help="crawl now, once (all enabled outlets or those named) and print a summary"
    )
    parser.add_argument("outlets", nargs="*", metavar="OUTLET", help="outlet names (default: every enabled outlet)")
    parser.add_argument("--quiet", action="store_true", help="no progress line on a terminal")
    parser.add_argument(
        "--show-failed",
        type=int,
        default=SHOW_FAILED,
        metavar="N",
        help=f"list up to N failed URLs under the table (default {SHOW_FAILED}; 0: none)",
    )

    parser = add_command(
        commands,
        "crawl-errors",
        crawl_errors,
        help="URLs failing now: pages waiting for a retry or given up, sources that failed in the latest crawl",
    )
    parser.add_argument("outlet", nargs="?", metavar="OUTLET", help="only this outlet")
    parser.add_argument("--since", metavar="DURATION", help="only URLs that failed in the last DURATION, e.g. 24h")
    parser.add_argument("--limit", type=int, default=200, help="at most this many (default 200)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--retry",
        action="store_true",
        help="fetch these pages again at the next crawl, even those given up (after fixing what made them fail)",
    )


def select_outlets(cfg: Config, slugs: Sequence[str]) -> list[OutletConfig]:
    if not slugs:
        return list(cfg.outlets)
    known = {o.slug: o for o in cfg.outlets}
    missing = [s for s in slugs if s not in known]
    if missing:
        raise UsageError(f"no enabled outlet named {', '.join(missing)} (enabled: {', '.join(known) or 'none'})")
    return [known[s] for s in slugs]


def report_crawls(summaries: Sequence[CrawlSummary], alerts: str, show_failed: int = SHOW_FAILED) -> int:
    """The table of ``crawl`` and ``run --once``, then up to ``show_failed`` failed URLs; exit
    status 1 when an outlet failed or kept none of the links it found (``unmatched``)."""
    from storage.status import CRAWL_FAILED, CRAWL_UNSUCCESSFUL, CrawlStatus

    rows = []
    for s in summaries:
        reasons = ", ".join(f"{reason} x{n}" for reason, n in sorted(s.failures.items(), key=lambda kv: -kv[1]))
        if s.status in CRAWL_UNSUCCESSFUL and s.error:
            reasons = s.error
        counts = (s.discovered, s.skipped_known, s.skipped_old, s.fetched, s.stored, s.duplicates, s.extract_empty)
        rows.append((s.outlet, s.status, *counts, s.failed, s.held, reasons))
    print(table(CRAWL_COLUMNS, rows))
    print_failed_pages(summaries, show_failed)
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


def print_failed_pages(summaries: Sequence[CrawlSummary], limit: int) -> None:
    """``failed URLs:`` and one line per URL (``[outlet]``, reason, URL, detail and what happens next),
    at most ``limit``, then how many more and where to see them."""
    total = sum(s.failed_pages_total for s in summaries)
    if not total or limit <= 0:
        return
    now = datetime.now(UTC)
    failed = [(s.outlet, page) for s in summaries for page in s.failed_pages]
    print("failed URLs:")
    for outlet, page in failed[:limit]:
        print(f"  [{cell(outlet)}] {cell(page.reason)}  {cell(page.url)}  ({cell(page.detail)}; {_next(page, now)})")
    if total > limit:
        outlets = {outlet for outlet, _page in failed}
        which = f" {next(iter(outlets))}" if len(outlets) == 1 else ""
        print(f"  ... and {total - min(limit, len(failed))} more: run.py crawl-errors{which}")


def _next(page: FailedPage, now: datetime) -> str:
    if page.source:
        again = f"; failed {page.attempts} crawls in a row" if page.attempts > 1 else ""
        return "read again at the next crawl" + again
    if page.retry_at is not None:
        return f"retry {ago(page.retry_at.isoformat(), now)}, attempt {page.attempts + 1}"
    return "given up, not fetched again" if page.attempts == 1 else f"given up after {page.attempts} attempts"


def crawl_errors(app: App, args: argparse.Namespace) -> int:
    """The URLs failing now, the most recent failure first."""
    from storage import failed_urls
    from storage.models import Outlet

    if args.retry:
        return retry_failed(app, args)
    app.require_schema()
    now = datetime.now(UTC)
    with app.sessions() as session:
        if args.outlet and args.outlet not in {o.slug for o in app.config.outlets}:
            from sqlalchemy import select

            if session.scalar(select(Outlet.id).where(Outlet.slug == args.outlet)) is None:
                known = ", ".join(o.slug for o in app.config.outlets) or "none"
                raise unknown_outlet(app.config, args.outlet, f"enabled: {known}")
        rows = failed_urls.failing(session, args.outlet, since(args.since), args.limit)
        if args.json:
            for row in rows:
                print_json(failure_json(row))
            return 0
        if not rows:
            where = f" for {args.outlet}" if args.outlet else ""
            print(f"no failing URLs{where}" + (f" in the last {args.since}" if args.since else ""))
            return 0
        print(failing_table(rows, now))
    return 0


def retry_failed(app: App, args: argparse.Namespace) -> int:
    """``crawl-errors --retry``: the selected pages are due at the next crawl (their attempts kept)."""
    from sqlalchemy import select

    from storage import failed_urls
    from storage.models import Outlet, utcnow

    app.upgrade()
    with app.sessions() as session, session.begin():
        outlet_id = None
        if args.outlet:
            outlet_id = session.scalar(select(Outlet.id).where(Outlet.slug == args.outlet))
            if outlet_id is None:
                raise UsageError(f"no outlet named {args.outlet} with failed URLs")
        count = failed_urls.retry_now(session, utcnow(), outlet_id, since=since(args.since))
    print(f"{count} page(s) will be fetched again at the next crawl" + (f" of {args.outlet}" if args.outlet else ""))
    return 0


def failing_table(rows: Sequence[FailedUrl], now: datetime) -> str:
    """``crawl-errors``' table (also under ``status OUTLET``)."""
    lines = [
        (ago(r.last_failed_at.isoformat(), now), r.outlet.slug, r.reason, r.attempts, _state(r, now), r.url)
        for r in rows
    ]
    return table(ERROR_COLUMNS, lines)


ERROR_COLUMNS = (
    Column("last failed", 11),
    Column("outlet", 14),
    Column("reason", 18, clip=18),
    Column("tries", 5, right=True),
    Column("next", 16, clip=16),
    Column("url"),
)


def _state(row: FailedUrl, now: datetime) -> str:
    if row.source:
        return "next crawl"
    if row.retry_at is not None:
        return f"retry {ago(row.retry_at.isoformat(), now)}"
    return "given up"


def failure_json(row: FailedUrl) -> dict[str, Any]:
    from storage.models import iso

    return {
        "outlet": row.outlet.slug,
        "url": row.url,
        "canonical_url": row.canonical_url,
        "kind": "source" if row.source else "page",
        "reason": row.reason,
        "detail": row.detail,
        "attempts": row.attempts,
        "first_failed_at": iso(row.first_failed_at),
        "last_failed_at": iso(row.last_failed_at),
        "retry_at": iso(row.retry_at),
        "gave_up_at": iso(row.gave_up_at),
    }
