"""Run one crawl of some outlets and record it: the parent side of ``crawler.child``.

The Scrapy crawl runs in a child process (``child.main``); this process reads the
messages it sends (``crawler.messages``), ingests each article as it arrives (so whatever was
stored before a crash or a time limit stays stored), and records one ``CrawlRun`` per outlet
with its counts, its ``CrawlFailure`` rows and the feeds' ETag / Last-Modified for the next
conditional request. A crawl past ``time_limit`` is stopped by Scrapy (CLOSESPIDER_TIMEOUT) and,
if that does not end it, the child is killed. ``run_crawl`` never raises for an outlet's
failure: it is in the summary and the database.

Failed article pages are retried on a schedule, not whenever a feed lists them again
(``storage.failed_urls``): each failure holds the URL back for the next delay of
``crawler.retry_failed_pages``, after which the crawl requests it whether or not a source still
lists it; after the last delay, or at once for an answer about what the URL is
(``GIVE_UP_AT_ONCE``), it is given up and never fetched again.

Reads ``[crawler]`` (through ``crawler.settings``; ``retry_failed_pages`` here) and the
outlets' declarations.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, assert_never
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, sessionmaker

from config import Config, OutletConfig
from crawler.child import main, shielded, start_context
from crawler.messages import (
    ArticleFound,
    ArticleUrl,
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
from storage import failed_urls, repository, staging
from storage.failed_urls import Backoff, PageFailure
from storage.models import Article, CrawlFailure, CrawlRun, FailedUrl, FetchState, SeenUrl, utcnow
from storage.prepare import Preparer
from storage.records import ArticleRecord, IngestResult
from storage.status import CrawlStatus
from storage.urls import canonicalize

log = logging.getLogger(__name__)

KILL_GRACE = 5.0  # seconds past the time limit (Scrapy waits for downloads in flight) before a kill
MAX_ERRORS_RECORDED = 200  # per run; the counts stay exact
# Answers about what the URL is, not about one attempt: asking again gets the same answer.
GIVE_UP_AT_ONCE = frozenset({"robots", "article/not-html", "bad-url"})

Ingest = Callable[[ArticleRecord], IngestResult]
Progress = Callable[[str, str], None]


@dataclass(frozen=True)
class FailedPage:
    """A URL that failed in this crawl, and what happens to it now."""

    url: str
    reason: str
    detail: str
    source: bool = False  # a feed, sitemap or listing page: read again at the next crawl
    attempts: int = 1
    retry_at: datetime | None = None  # an article page's next try; None: given up (or a source)


@dataclass(frozen=True)
class CrawlSummary:
    outlet: str
    status: CrawlStatus  # never running; interrupted when Newswatch stopped during the crawl
    discovered: int = 0
    skipped_known: int = 0
    skipped_old: int = 0
    fetched: int = 0
    stored: int = 0
    staged: int = 0  # cluster mode: handed to the ingest role, which stores them (and counts them on the run)
    duplicates: int = 0
    extract_empty: int = 0
    failed: int = 0
    failures: Mapping[str, int] = field(default_factory=dict)
    error: str | None = None
    run_id: int | None = None
    seconds: float = 0.0
    held: int = 0  # pages that failed before, skipped until their retry (or given up)
    retried: int = 0  # pages fetched again because their retry was due
    failed_pages: tuple[FailedPage, ...] = ()  # the first MAX_ERRORS_RECORDED, in order
    failed_pages_total: int = 0  # every URL that failed, recorded or not


def backoff(schedule: Sequence[float]) -> Backoff:
    """``crawler.retry_failed_pages`` as a ``Backoff``: the delay after each failed attempt,
    then give up; an answer in ``GIVE_UP_AT_ONCE`` is given up at the first attempt."""

    def delay(reason: str, attempts: int) -> float | None:
        if reason in GIVE_UP_AT_ONCE or attempts > len(schedule):
            return None
        return float(schedule[attempts - 1])

    return delay


@dataclass
class _Tally:
    outlet: OutletConfig
    run_id: int
    outlet_id: int
    counts: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, str, str, ArticleUrl | None]] = field(default_factory=list)
    error_count: int = 0
    failed_pages: dict[str, PageFailure] = field(default_factory=dict)  # canonical URL -> its failure
    failed_sources: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # canonical -> url, reason, detail
    resolved: set[str] = field(default_factory=set)  # canonical URLs stored or found to be copies
    fetch_states: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)  # canonical URL -> why it is not an article
    closed_reason: str | None = None
    mismatches: tuple[str, ...] = ()  # a few links that did not match article_pattern
    stored: int = 0
    staged: int = 0  # cluster mode: handed to the ingest role, which adds its outcome to the run
    duplicates: int = 0
    store_failed: int = 0

    def error(self, url: str, reason: str, detail: str, page: ArticleUrl | None = None) -> None:
        if reason not in ("extract/empty", "robots"):  # the page has no article / we may not fetch it
            self.failures[reason] += 1
        if reason == "bad-url":  # a link that is no URL: held back by what the source wrote
            page = ArticleUrl(url, url)
        if page is not None:
            self.failed_pages[page.canonical_url] = PageFailure(
                page.url, page.canonical_url, reason, detail, page.listed_at, page.listed_title
            )
        elif url:
            self.failed_sources[_source_key(url)] = (url, reason, detail)
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_RECORDED:
            self.errors.append((url, reason, detail, page))


def run_crawl(
    cfg: Config,
    outlets: Sequence[OutletConfig],
    ingest: Ingest,
    sessions: sessionmaker[Session],
    *,
    time_limit: float | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    now: datetime | None = None,
    exclusive: bool = False,
    prepare: Preparer | None = None,
) -> list[CrawlSummary]:
    """Crawl ``outlets`` once (concurrently, in one child process) and record the runs.

    Setting ``stop`` (the daemon shutting down) ends the crawl at once: the child is killed and
    the runs are recorded as ``interrupted``; what was stored stays stored. ``now`` (default:
    the clock) is the crawl's start: which items are too old, which retries are due, and, plus
    the crawl's duration, when its failures happened. ``exclusive``: no other process crawls
    these outlets now (cluster mode: the task queue's lock), so a run of theirs still
    ``running`` is one whose process died: it is closed now, not after a delay. ``prepare``
    (``App.preparer``) prepares each article for ``ingest`` (``storage.prepare``): in the crawl's
    extraction processes, then its embedding (when worth one) here."""
    if not outlets:
        return []
    started = time.monotonic()
    now = now or utcnow()
    tallies, job = _prepare(cfg, outlets, sessions, now, time_limit, exclusive)
    job = replace(job, prepare=prepare.extracted if prepare is not None else None)
    say = progress or (lambda slug, message: None)
    for slug in tallies:
        say(slug, "starting")
    if prepare is not None:
        ingest = _embedding_first(prepare, ingest)
    exitcode, killed = run_child(job, lambda message: _handle(message, tallies, ingest, say), time_limit, stop)
    seconds = time.monotonic() - started
    return _finish(
        tallies,
        sessions,
        exitcode,
        killed,
        time_limit,
        seconds,
        finished=now + timedelta(seconds=seconds),
        backoff=backoff(cfg.crawler.retry_failed_pages),
        stopped=bool(stop and stop.is_set()),
    )


def _embedding_first(prepare: Preparer, ingest: Ingest) -> Ingest:
    def embedded(record: ArticleRecord) -> IngestResult:
        return ingest(prepare.embedded(record))

    return embedded


def _prepare(
    cfg: Config,
    outlets: Sequence[OutletConfig],
    sessions: sessionmaker[Session],
    now: datetime,
    time_limit: float | None,
    exclusive: bool = False,
) -> tuple[dict[str, _Tally], CrawlJob]:
    tallies: dict[str, _Tally] = {}
    jobs: list[OutletJob] = []
    with sessions() as session, session.begin():
        for outlet in outlets:
            row = repository.get_or_create_outlet(session, outlet.slug, outlet.name, outlet.language)
            _close_abandoned_runs(session, row.id, now, None if exclusive else (time_limit or 86400))
            run = repository.start_crawl_run(session, row, now)
            session.flush()
            tallies[outlet.slug] = _Tally(outlet, run.id, row.id)
            known = known_urls(session, outlet, row.id)
            known |= staging.staged_urls(session, outlet.slug)  # cluster mode: found, not yet ingested
            if not cfg.crawler.obey_robots:  # what robots.txt forbade may be fetched now
                failed_urls.retry_now(session, now, row.id, reasons=("robots",))
            held, due = failed_urls.held_and_due(
                session, row.id, _on_hosts(FailedUrl.canonical_url, _hosts(outlet)), now
            )
            retries = tuple(ArticleUrl(d.url, d.canonical_url, d.listed_at, d.listed_title) for d in due)
            sources = [source_url(outlet.base_url, path) for path in (*outlet.feeds, *outlet.sitemaps)]
            states = {
                state.url: (state.etag, state.last_modified)
                for state in session.scalars(select(FetchState).where(FetchState.url.in_(sources)))
            }
            jobs.append(OutletJob(outlet, known, states, held=held - known, retries=retries))
    level = logging.getLogger("scrapy").getEffectiveLevel()
    job = CrawlJob(cfg.crawler, tuple(jobs), now, time_limit, max(level, logging.WARNING))
    return tallies, job


def known_urls(session: Session, outlet: OutletConfig, outlet_id: int | None) -> frozenset[str]:
    """The canonical URLs a crawl of ``outlet`` skips: its stored articles (``outlet_id``: its
    row, None when it has none yet), and URLs seen before as copies or too old. Only reads."""
    # Seen URLs of any outlet on the same hosts (bernama-en and -bm share one): the table holds
    # a URL once, whichever outlet saw it first.
    same_hosts = _on_hosts(SeenUrl.canonical_url, _hosts(outlet))
    stored: frozenset[str] = frozenset()
    if outlet_id is not None:
        stored = frozenset(session.scalars(select(Article.canonical_url).where(Article.outlet_id == outlet_id)))
        same_hosts = or_(SeenUrl.outlet_id == outlet_id, same_hosts)
    return stored | frozenset(session.scalars(select(SeenUrl.canonical_url).where(same_hosts)))


def _on_hosts(column: Any, hosts: Sequence[str]) -> ColumnElement[bool]:
    """Canonical URLs (always https) on one of ``hosts`` or their subdomains."""
    return or_(
        *(c for host in hosts for c in (column.startswith(f"https://{host}/"), column.like(f"https://%.{host}/%")))
    )


def _hosts(outlet: OutletConfig) -> list[str]:
    """The outlet's hosts as they appear in canonical URLs (with a non-default port, if any)."""
    base = urlsplit(canonicalize(outlet.base_url)).netloc
    return list(dict.fromkeys([base, *(d.lower() for d in outlet.domains)]))


def _close_abandoned_runs(session: Session, outlet_id: int, now: datetime, time_limit: float | None) -> None:
    """Runs still 'running' long after any crawl would have been stopped: their process died
    (the daemon was killed). Their articles are stored; only the record is closed.
    ``time_limit`` None: every run still 'running' (no other crawl of the outlet runs now)."""
    cutoff = now if time_limit is None else now - timedelta(seconds=time_limit + KILL_GRACE + 60)
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
    context = start_context()
    receive, send = context.Pipe(duplex=False)
    # Not a daemonic process: it starts the extraction pool (crawler.pool), and multiprocessing
    # forbids children to daemons. The finally below ends it however this function is left.
    child = context.Process(target=main, args=(job, send), name="newswatch-crawl", daemon=False)
    with shielded():
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
                log.warning("crawl of %s still running %.0fs past its time limit: killed", slugs, KILL_GRACE)
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
        case PageFailed(url=url, reason=reason, detail=detail, article=page):
            tally.error(url, reason, detail, page)
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
    canonical = record.canonical_url or record.url
    listed_at = record.published_at if record.date_source == "feed or sitemap" else None
    page = ArticleUrl(record.url, canonical, listed_at, record.title or None)
    try:
        result = ingest(record)
    except Exception as exc:
        log.exception("storing %s failed", record.url)
        tally.store_failed += 1
        tally.error(record.url, "store/error", f"{exc.__class__.__name__}: {exc}"[:300], page)
        return
    if result.status == "stored":
        tally.stored += 1
        tally.resolved.add(canonical)
        say(tally.outlet.slug, f"stored: {record.title[:70]}")
    elif result.status == "staged":
        tally.staged += 1
        tally.resolved.add(canonical)
    elif result.status == "duplicate":
        tally.duplicates += 1
        tally.resolved.add(canonical)
        if result.reason == "dedup/content" and record.canonical_url:
            tally.seen[record.canonical_url] = "duplicate"
    else:
        tally.error(record.url, result.reason, "the extracted article was not valid", page)


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
            ((u, r, d) for u, r, d, _page in tally.errors if not r.startswith(("extract/", "http/4", "article/"))),
            tally.errors[0][:3] if tally.errors else ("", "unknown", ""),
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


def _source_key(url: str) -> str:
    try:
        return canonicalize(url)
    except ValueError:
        return url


def _record_failures(session: Session, tally: _Tally, finished: datetime, backoff: Backoff) -> tuple[FailedPage, ...]:
    """Bring ``failed_urls`` up to date with this crawl; return its failed URLs (as many as
    ``tally.errors`` holds), each with what happens to it now."""
    outcomes = failed_urls.record_page_failures(
        session, tally.outlet_id, tally.failed_pages.values(), finished, backoff
    )
    failed_urls.resolve(session, tally.outlet_id, tally.resolved - set(tally.failed_pages))
    sources = failed_urls.record_source_failures(
        session,
        tally.outlet_id,
        [(url, key, reason, detail) for key, (url, reason, detail) in tally.failed_sources.items()],
        finished,
        complete=tally.closed_reason == "finished",  # every source was read or failed
    )
    pages = []
    for url, reason, detail, page in tally.errors:
        outcome = outcomes.get(page.canonical_url) if page is not None else None
        if outcome is not None:
            pages.append(FailedPage(url, reason, detail, False, outcome.attempts, outcome.retry_at))
        else:
            pages.append(FailedPage(url, reason, detail, True, sources.get(_source_key(url), 1)))
    return tuple(pages)


def _finish(
    tallies: dict[str, _Tally],
    sessions: sessionmaker[Session],
    exitcode: int | None,
    killed: bool,
    time_limit: float | None,
    seconds: float,
    finished: datetime,
    backoff: Backoff,
    stopped: bool = False,
) -> list[CrawlSummary]:
    summaries = []
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
                # Added to what the cluster's ingest role may have counted already (its articles).
                run.stored = CrawlRun.stored + tally.stored
                run.duplicates = CrawlRun.duplicates + tally.duplicates
                run.extract_empty = counts["extract_empty"]
                run.failed = CrawlRun.failed + failed
                stats = {**dict(counts), "failures": dict(tally.failures)}
                run.stats = {**stats, "staged": tally.staged} if tally.staged else stats
                for url, reason, detail, _page in tally.errors:
                    session.add(CrawlFailure(run_id=run.id, url=url, reason=reason[:100], detail=detail, at=finished))
            _remember_seen(session, tally, finished)
            failed_pages = _record_failures(session, tally, finished, backoff)
            # A failed page no longer needs its feed to list it again (it is retried from
            # failed_urls), so the validators are kept even when pages failed.
            if status in (CrawlStatus.OK, CrawlStatus.PARTIAL):
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
                    staged=tally.staged,
                    duplicates=tally.duplicates,
                    extract_empty=counts["extract_empty"],
                    failed=failed,
                    failures=dict(tally.failures),
                    error=error,
                    run_id=tally.run_id,
                    seconds=seconds,
                    held=counts["held"],
                    retried=counts["retried"],
                    failed_pages=failed_pages,
                    failed_pages_total=tally.error_count,
                )
            )
            log.info(
                "crawl %s: %s, %d discovered, %d known, %d old, %d fetched, %d %s, %d dup, %d empty, %d failed",
                tally.outlet.slug,
                status,
                counts["discovered"],
                counts["skipped_known"],
                counts["skipped_old"],
                counts["fetched"],
                tally.staged or tally.stored,
                "staged" if tally.staged else "stored",
                tally.duplicates,
                counts["extract_empty"],
                failed,
            )
    return summaries
