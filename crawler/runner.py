"""Run one crawl of some outlets and record it: the parent side of ``crawler.child``.

The Scrapy crawl runs in a spawned child process (``child.main``); this process reads the
messages it sends (``crawler.messages``), ingests each article as it arrives (so whatever was
stored before a crash or a time limit stays stored), and records one ``CrawlRun`` per outlet
with its counts, its ``CrawlFailure`` rows and, when the crawl had no failures, the feeds' ETag /
Last-Modified for the next conditional request. A crawl past ``time_limit`` is stopped by
Scrapy (CLOSESPIDER_TIMEOUT) and, if that does not end it, the child is killed. ``run_crawl``
never raises for an outlet's failure: it is in the summary and the database.

Reads ``[crawler]`` (through ``crawler.settings``) and the outlets' declarations.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import assert_never
from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker

from config import Config, OutletConfig
from crawler.child import main
from crawler.messages import (
    ArticleFound,
    ChildMessage,
    CrawlJob,
    LinkSeen,
    OutletJob,
    PageFailed,
    RobotsRead,
    SourceRead,
    SpiderClosed,
    TooOld,
    Validators,
)
from crawler.outlets import source_url
from storage import repository
from storage.models import Article, CrawlFailure, CrawlRun, FetchState, SeenUrl, utcnow
from storage.records import ArticleRecord, IngestResult
from storage.status import CrawlStatus
from storage.urls import canonicalize

log = logging.getLogger(__name__)

KILL_GRACE = 5.0  # seconds past the time limit (Scrapy waits for downloads in flight) before a kill
MAX_ERRORS_RECORDED = 200  # per run; the counts stay exact
# Failure reasons a later crawl may get right (the others are answers about the page itself).
RETRYABLE = frozenset(
    {"timeout", "dns", "connection-refused", "connection-lost", "http/429", "http/408", "store/error"}
)

Ingest = Callable[[ArticleRecord], IngestResult]
Progress = Callable[[str, str], None]


@dataclass(frozen=True)
class CrawlSummary:
    outlet: str
    status: CrawlStatus  # never running; interrupted when Newswatch stopped during the crawl
    discovered: int = 0
    skipped_known: int = 0
    skipped_old: int = 0
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    extract_empty: int = 0
    failed: int = 0
    failures: Mapping[str, int] = field(default_factory=dict)
    error: str | None = None
    run_id: int | None = None
    seconds: float = 0.0


@dataclass
class _Tally:
    outlet: OutletConfig
    run_id: int
    counts: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    fetch_states: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)  # canonical URL -> why it is not an article
    closed_reason: str | None = None
    mismatches: tuple[str, ...] = ()  # a few links that did not match article_pattern
    stored: int = 0
    duplicates: int = 0
    store_failed: int = 0

    def error(self, url: str, reason: str, detail: str) -> None:
        if reason not in ("extract/empty", "robots"):  # the page has no article / we may not fetch it
            self.failures[reason] += 1
        if len(self.errors) < MAX_ERRORS_RECORDED:
            self.errors.append((url, reason, detail))


def run_crawl(
    cfg: Config,
    outlets: Sequence[OutletConfig],
    ingest: Ingest,
    sessions: sessionmaker[Session],
    *,
    time_limit: float | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> list[CrawlSummary]:
    """Crawl ``outlets`` once (concurrently, in one child process) and record the runs.

    Setting ``stop`` (the daemon shutting down) ends the crawl at once: the child is killed and
    the runs are recorded as ``interrupted``; what was stored stays stored."""
    if not outlets:
        return []
    started = time.monotonic()
    now = utcnow()
    tallies, job = _prepare(cfg, outlets, sessions, now, time_limit)
    say = progress or (lambda slug, message: None)
    for slug in tallies:
        say(slug, "starting")
    exitcode, killed = run_child(job, lambda message: _handle(message, tallies, ingest, say), time_limit, stop)
    seconds = time.monotonic() - started
    return _finish(tallies, sessions, exitcode, killed, time_limit, seconds, stopped=bool(stop and stop.is_set()))


def _prepare(
    cfg: Config,
    outlets: Sequence[OutletConfig],
    sessions: sessionmaker[Session],
    now: datetime,
    time_limit: float | None,
) -> tuple[dict[str, _Tally], CrawlJob]:
    tallies: dict[str, _Tally] = {}
    jobs: list[OutletJob] = []
    with sessions() as session, session.begin():
        for outlet in outlets:
            row = repository.get_or_create_outlet(session, outlet.slug, outlet.name, outlet.language)
            _close_abandoned_runs(session, row.id, now, time_limit)
            run = repository.start_crawl_run(session, row)
            session.flush()
            tallies[outlet.slug] = _Tally(outlet, run.id)
            sources = [source_url(outlet.base_url, path) for path in (*outlet.feeds, *outlet.sitemaps)]
            states = {
                state.url: (state.etag, state.last_modified)
                for state in session.scalars(select(FetchState).where(FetchState.url.in_(sources)))
            }
            jobs.append(OutletJob(outlet, known_urls(session, outlet, row.id), states))
    level = logging.getLogger("scrapy").getEffectiveLevel()
    job = CrawlJob(cfg.crawler, tuple(jobs), now, time_limit, max(level, logging.WARNING))
    return tallies, job


def known_urls(session: Session, outlet: OutletConfig, outlet_id: int | None) -> frozenset[str]:
    """The canonical URLs a crawl of ``outlet`` skips: its stored articles (``outlet_id``: its
    row, None when it has none yet), and URLs seen before as copies or too old. Only reads."""
    # Seen URLs of any outlet on the same hosts (bernama-en and -bm share one): the table holds
    # a URL once, whichever outlet saw it first.
    same_hosts = [SeenUrl.outlet_id == outlet_id] if outlet_id is not None else []
    for host in _hosts(outlet):
        same_hosts += [
            SeenUrl.canonical_url.startswith(f"https://{host}/"),
            SeenUrl.canonical_url.like(f"https://%.{host}/%"),
        ]
    stored: frozenset[str] = frozenset()
    if outlet_id is not None:
        stored = frozenset(session.scalars(select(Article.canonical_url).where(Article.outlet_id == outlet_id)))
    return stored | frozenset(session.scalars(select(SeenUrl.canonical_url).where(or_(*same_hosts))))


def _hosts(outlet: OutletConfig) -> list[str]:
    """The outlet's hosts as they appear in canonical URLs (with a non-default port, if any)."""
    base = urlsplit(canonicalize(outlet.base_url)).netloc
    return list(dict.fromkeys([base, *(d.lower() for d in outlet.domains)]))


def _close_abandoned_runs(session: Session, outlet_id: int, now: datetime, time_limit: float | None) -> None:
    """Runs still 'running' long after any crawl would have been stopped: their process died
    (the daemon was killed). Their articles are stored; only the record is closed."""
    cutoff = now - timedelta(seconds=(time_limit or 86400) + KILL_GRACE + 60)
    for run in session.scalars(
        select(CrawlRun).where(
            CrawlRun.outlet_id == outlet_id, CrawlRun.status == CrawlStatus.RUNNING, CrawlRun.started_at < cutoff
        )
    ):
        run.status = CrawlStatus.INTERRUPTED
        run.finished_at = now
        run.error = "the process running this crawl ended before it finished (killed or crashed)"


def run_child(
    job: CrawlJob,
    handle: Callable[[ChildMessage], None],
    time_limit: float | None,
    stop: threading.Event | None = None,
) -> tuple[int | None, bool]:
    """Run ``job`` in a crawl child, handing each of its messages to ``handle`` as it arrives;
    the child's exit code, and whether it had to be killed (``stop`` set, or past the limit)."""
    slugs = ", ".join(o.outlet.slug for o in job.outlets)
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    # Not a daemonic process: it starts the extraction pool (crawler.pool), and multiprocessing
    # forbids children to daemons. The finally below ends it however this function is left.
    child = context.Process(target=main, args=(job, send), name="newswatch-crawl", daemon=False)
    child.start()
    send.close()
    deadline = time.monotonic() + time_limit + KILL_GRACE if time_limit else None
    killed = False
    try:
        while True:
            wait = 1.0 if deadline is None else max(0.0, min(1.0, deadline - time.monotonic()))
            if receive.poll(wait):
                try:
                    message = receive.recv()
                except (EOFError, OSError):
                    break
                handle(message)
            elif stop is not None and stop.is_set():
                log.info("crawl of %s stopped: shutting down", slugs)
                child.kill()
                killed = True
                break
            elif deadline is not None and time.monotonic() >= deadline:
                log.warning(
                    "crawl of %s still running %.0fs past its time limit: killed", slugs, KILL_GRACE
                )
                child.kill()
                killed = True
                break
            elif not child.is_alive() and not receive.poll(0):
                break
    finally:
        if child.is_alive() and not killed:
            child.join(5)
            if child.is_alive():
                child.kill()
        child.join(10)
        receive.close()
    return child.exitcode, killed


def _handle(message: ChildMessage, tallies: dict[str, _Tally], ingest: Ingest, say: Progress) -> None:
    tally = tallies.get(message.outlet)
    if tally is None:
        return
    match message:
        case ArticleFound(record=record):
            _store(record, tally, ingest, say)
        case PageFailed(url=url, reason=reason, detail=detail):
            tally.error(url, reason, detail)
            say(tally.outlet.slug, f"{reason}: {url}")
        case TooOld(canonical_url=url):
            tally.seen[url] = "old"
        case Validators(url=url, etag=etag, last_modified=modified):
            tally.fetch_states.append((url, etag, modified))
        case SpiderClosed(counts=counts, reason=reason, mismatches=mismatches):
            tally.counts.update(counts)
            tally.closed_reason = reason
            tally.mismatches = mismatches
        case SourceRead() | LinkSeen() | RobotsRead():
            pass  # sent only to ``outlets check`` (OutletJob.explain)
        case _:
            assert_never(message)


def _store(record: ArticleRecord, tally: _Tally, ingest: Ingest, say: Progress) -> None:
    try:
        result = ingest(record)
    except Exception as exc:
        log.exception("storing %s failed", record.url)
        tally.store_failed += 1
        tally.error(record.url, "store/error", f"{exc.__class__.__name__}: {exc}"[:300])
        return
    if result.status == "stored":
        tally.stored += 1
        say(tally.outlet.slug, f"stored: {record.title[:70]}")
    elif result.status == "duplicate":
        tally.duplicates += 1
        if result.reason == "dedup/content" and record.canonical_url:
            tally.seen[record.canonical_url] = "duplicate"
    else:
        tally.error(record.url, result.reason, "the extracted article was not valid")


def _status(
    tally: _Tally, exitcode: int | None, killed: bool, time_limit: float | None
) -> tuple[CrawlStatus, str | None]:
    counts = tally.counts
    if killed or tally.closed_reason == "closespider_timeout":
        return CrawlStatus.TIMEOUT, f"stopped at the crawl time limit ({time_limit:.0f}s)"
    if tally.closed_reason is None:
        return CrawlStatus.FAILED, f"the crawl process ended unexpectedly (exit code {exitcode})"
    if tally.closed_reason != "finished":
        return CrawlStatus.FAILED, f"the crawl stopped early ({tally.closed_reason})"
    if counts["sources_ok"] == 0:
        if not counts["sources_failed"]:
            return CrawlStatus.FAILED, "the outlet declares no feeds, sitemaps or listing pages that could be read"
        url, reason, detail = next(
            ((u, r, d) for u, r, d in tally.errors if not r.startswith(("extract/", "http/4", "article/"))),
            tally.errors[0] if tally.errors else ("", "unknown", ""),
        )
        return CrawlStatus.FAILED, f"no feed, sitemap or listing could be read ({reason}: {detail} {url})".strip()
    if counts["discovered"] == 0 and (links := unmatched_links(counts)):
        return CrawlStatus.UNMATCHED, unmatched_detail(counts, links, tally.mismatches)
    if sum(tally.failures.values()):
        return CrawlStatus.PARTIAL, ", ".join(f"{reason} x{n}" for reason, n in tally.failures.most_common(3))
    return CrawlStatus.OK, None


def unmatched_links(counts: Mapping[str, int]) -> int:
    """Links the sources gave that are not articles of the outlet (pattern, other sites, malformed)."""
    return counts.get("skipped_pattern", 0) + counts.get("skipped_offsite", 0) + counts.get("skipped_bad_url", 0)


def unmatched_detail(counts: Mapping[str, int], links: int, mismatches: Sequence[str]) -> str:
    """Why a crawl kept none of the links it found, for the crawl table, ``status`` and the incident."""
    parts = []
    if counts.get("skipped_pattern"):
        examples = f" (e.g. {', '.join(mismatches)})" if mismatches else ""
        parts.append(f"{counts['skipped_pattern']} did not match article_pattern{examples}")
    if counts.get("skipped_offsite"):
        parts.append(f"{counts['skipped_offsite']} on other sites")
    if counts.get("skipped_bad_url"):
        parts.append(f"{counts['skipped_bad_url']} malformed")
    return f"{links} links found, none an article of the outlet: {'; '.join(parts)}"


def _remember_seen(session: Session, tally: _Tally, now: datetime) -> None:
    if not tally.seen:
        return
    outlet = repository.get_or_create_outlet(session, tally.outlet.slug, tally.outlet.name)
    urls = list(tally.seen)
    already = set()
    for i in range(0, len(urls), 500):
        chunk = urls[i : i + 500]
        already |= set(session.scalars(select(SeenUrl.canonical_url).where(SeenUrl.canonical_url.in_(chunk))))
        already |= set(session.scalars(select(Article.canonical_url).where(Article.canonical_url.in_(chunk))))
    for url in urls:
        if url not in already:
            session.add(SeenUrl(outlet_id=outlet.id, canonical_url=url, reason=tally.seen[url], seen_at=now))


def _finish(
    tallies: dict[str, _Tally],
    sessions: sessionmaker[Session],
    exitcode: int | None,
    killed: bool,
    time_limit: float | None,
    seconds: float,
    stopped: bool = False,
) -> list[CrawlSummary]:
    summaries = []
    finished = utcnow()
    with sessions() as session, session.begin():
        for tally in tallies.values():
            status, error = _status(tally, exitcode, killed, time_limit)
            if stopped and tally.closed_reason is None:
                status, error = CrawlStatus.INTERRUPTED, "stopped because Newswatch was shutting down"
            counts = tally.counts
            failed = counts["failed"] + counts["sources_failed"] + tally.store_failed
            run = session.get(CrawlRun, tally.run_id)
            if run is not None:
                run.finished_at = finished
                run.status = status
                run.error = error
                run.discovered = counts["discovered"]
                run.skipped_known = counts["skipped_known"]
                run.skipped_old = counts["skipped_old"]
                run.fetched = counts["fetched"]
                run.stored = tally.stored
                run.duplicates = tally.duplicates
                run.extract_empty = counts["extract_empty"]
                run.failed = failed
                run.stats = {**dict(counts), "failures": dict(tally.failures)}
                for url, reason, detail in tally.errors:
                    session.add(CrawlFailure(run_id=run.id, url=url, reason=reason[:100], detail=detail, at=finished))
            _remember_seen(session, tally, finished)
            # Validators are kept only when nothing failed that a later crawl could get right;
            # a 404 or a page that is not an article would otherwise block them for ever.
            if status in (CrawlStatus.OK, CrawlStatus.PARTIAL) and not any(
                r in RETRYABLE or r.startswith("http/5") for r in tally.failures
            ):
                for url, etag, modified in tally.fetch_states:
                    repository.set_fetch_state(session, url, etag, modified)
            summaries.append(
                CrawlSummary(
                    outlet=tally.outlet.slug,
                    status=status,
                    discovered=counts["discovered"],
                    skipped_known=counts["skipped_known"],
                    skipped_old=counts["skipped_old"],
                    fetched=counts["fetched"],
                    stored=tally.stored,
                    duplicates=tally.duplicates,
                    extract_empty=counts["extract_empty"],
                    failed=failed,
                    failures=dict(tally.failures),
                    error=error,
                    run_id=tally.run_id,
                    seconds=seconds,
                )
            )
            log.info(
                "crawl %s: %s, %d discovered, %d known, %d old, %d fetched, %d stored, %d dup, %d empty, %d failed",
                tally.outlet.slug,
                status,
                counts["discovered"],
                counts["skipped_known"],
                counts["skipped_old"],
                counts["fetched"],
                tally.stored,
                tally.duplicates,
                counts["extract_empty"],
                failed,
            )
    return summaries
