#!/usr/bin/env python3
"""Newswatch command line and composition root.

This is the only module that wires ``crawler``, ``storage`` and ``alerts`` together: it loads
the configuration (``--config``, else ``NEWSWATCH_CONFIG``, else ``config.toml``), builds the
engine, the ingest path and its hooks, and hands them to the command asked for.
Errors reach the user as one line on stderr: exit status 2 for configuration and usage
problems, 1 for anything else that failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import config as config_module
from alerts.channels import CONFIG_TYPES, build_channels
from alerts.dispatch import Dispatcher, recover_interrupted
from alerts.outbox import Outbox
from alerts.render import Renderer
from alerts.watches import Matcher, WatchQueryError
from config import Config, ConfigError, OutletConfig, WatchConfig, parse_duration
from crawler.extract import Extracted, extract
from crawler.runner import CrawlSummary, run_crawl
from daemon import FAILED, STOP_GRACE, Daemon, Worker
from storage import db, repository
from storage.dedup import StoryIndex
from storage.ingest import Ingestor
from storage.lock import AlreadyRunning, DaemonLock
from storage.records import ArticleRecord
from storage.status import DeliveryStatus
from storage.stories import list_stories

log = logging.getLogger("newswatch")


class CommandError(Exception):
    """A command failed in a way the user can act on; printed as one line, exit status 1."""


class UsageError(CommandError):
    """A command was given arguments it cannot use (an unknown outlet, a bad duration): exit 2."""


# --------------------------------------------------------------------------- composition


@dataclass
class App:
    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    # Set by the daemon to its DispatchLoop.wake: new alerts leave right after their commit.
    wake_dispatcher: Callable[[], None] | None = None
    # One near-duplicate index per process, loaded from the database on first use.
    story_index: StoryIndex | None = None

    def ingestor(self) -> Ingestor:
        if self.story_index is None:
            self.story_index = StoryIndex(self.config.dedup.window)
        return Ingestor(self.sessions, index=self.story_index, on_stored=[self.outbox()])

    def outbox(self) -> Outbox:
        return Outbox.from_config(self.config, on_enqueued=self._wake_dispatcher)

    def _wake_dispatcher(self) -> None:
        if self.wake_dispatcher is not None:
            self.wake_dispatcher()

    def dispatcher(self, client: httpx.Client | None = None) -> Dispatcher:
        """The alert dispatcher with every configured channel; one HTTP client for webhooks."""
        if client is None:
            from alerts.channels.http import client as bounded_client

            client = bounded_client()
        channels = build_channels(self.config.channels, client)
        return Dispatcher(self.sessions, channels, Renderer.from_config(self.config), self.config.alerts)


def load_app_config(path: str | None) -> Config:
    chosen = path or os.environ.get("NEWSWATCH_CONFIG") or config_module.DEFAULT_CONFIG_PATH
    from crawler.outlets import load_presets

    cfg = config_module.load_config(chosen, env=os.environ, presets=load_presets(), channel_types=CONFIG_TYPES)
    build_matcher(cfg)  # a watch query that does not parse is a configuration error, found at start
    from crawler.outlets.quirks import KNOWN as KNOWN_QUIRKS

    for outlet in cfg.outlets:
        for i, quirk in enumerate(outlet.quirks):
            if quirk not in KNOWN_QUIRKS:
                expected = ", ".join(sorted(KNOWN_QUIRKS))
                raise ConfigError(
                    cfg.path, f"outlets.{outlet.slug}.quirks[{i}]", f"expected one of {expected}, got {quirk!r}"
                )
    return cfg


def build_matcher(cfg: Config, watches: Sequence[WatchConfig] | None = None) -> Matcher:
    """Compile the watches (default: the config's); a bad query names its key, line and column."""
    try:
        return Matcher.from_config(cfg.watches if watches is None else watches, cfg.lists)
    except WatchQueryError as exc:
        before = exc.query[: exc.position]
        line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        raise ConfigError(cfg.path, exc.key, f"{exc.message} (query line {line}, column {column})") from None


def build_app(cfg: Config, migrate: bool = True) -> App:
    if migrate:
        db.upgrade(cfg.storage.database_url)
    engine = db.make_engine(cfg.storage.database_url)
    return App(cfg, engine, db.session_factory(engine))


# --------------------------------------------------------------------------- logging


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(json_lines: bool, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if json_lines else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("alembic", "httpx", "httpcore", "scrapy", "trafilatura", "htmldate", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A crawl still running at its next tick is skipped by design (max_instances=1, coalesce):
    # APScheduler would warn about it on every tick.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)


# --------------------------------------------------------------------------- commands


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    cfg = load_app_config(args.config)
    db.upgrade(cfg.storage.database_url)
    engine = db.make_engine(cfg.storage.database_url)
    print(f"database at revision {db.current_revision(engine)}")
    engine.dispose()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """The daemon (or, with --once, one full cycle); one per database, refused if another runs."""
    cfg = load_app_config(args.config)
    app = build_app(cfg, migrate=False)
    lock = DaemonLock(app.engine)
    try:
        lock.acquire()  # before migrating: two processes must not migrate at once
    except AlreadyRunning as exc:
        raise CommandError(str(exc)) from None
    try:
        db.upgrade(cfg.storage.database_url)
        recover_interrupted(app.sessions)  # sends a killed daemon left half-done go out again now
        worker = Worker(cfg, app.sessions, app.ingestor(), run_crawl)
        if args.once:
            return _run_once(app, worker)
        daemon = Daemon(cfg, worker, app.dispatcher(), may_crawl=lambda: lock.held)
        app.wake_dispatcher = daemon.loop.wake
        stop = _StopFlag()
        lock.watch(stop.lock_lost)
        daemon.start()
        log.info(
            "daemon started with %d outlets and %d watches (pid %d)", len(cfg.outlets), len(cfg.watches), os.getpid()
        )
        stop.wait()
        if stop.lost:  # another daemon crawls now: stop ours at once
            daemon.stop(grace=0)
            raise CommandError("stopped: another Newswatch daemon took the database lock while our connection was lost")
        log.info("stopping: waiting for running crawls (at most %ds) and sends", int(STOP_GRACE))
        daemon.stop()
        log.info("stopped")
        return 0
    finally:
        lock.release()
        app.engine.dispose()


def _run_once(app: App, worker: Worker) -> int:
    """Crawl every enabled outlet once (concurrently), send what is due, print a summary."""
    cfg = app.config
    dispatcher = app.dispatcher()
    summaries = worker.crawl(cfg.outlets)
    worker.queue_digests()
    sent = dispatcher.dispatch_due()
    dispatcher.close()
    return _report_crawls(summaries, f"alerts: {sent}")


class _StopFlag:
    """Set by SIGTERM or SIGINT; the daemon loop polls it.

    The handler only records the signal: it runs between two bytecodes of the main thread,
    which may be in the middle of writing a log line, and logging from it would raise
    ("reentrant call") and lose the stop request."""

    def __init__(self) -> None:
        self.requested = False
        self.lost = False
        self.signal_name = ""
        self._event = threading.Event()
        signal.signal(signal.SIGTERM, self._set)
        signal.signal(signal.SIGINT, self._set)

    def lock_lost(self) -> None:
        """Called from the lock's watcher thread when another daemon holds the lock now."""
        self.lost = True
        self._event.set()

    def _set(self, signum: int, _frame: Any) -> None:
        self.requested = True
        self.signal_name = signal.Signals(signum).name
        self._event.set()

    def wait(self) -> None:
        while not self._event.wait(0.5):  # short waits: signal handlers run between them
            pass
        if self.requested:
            log.info("received %s", self.signal_name)


def cmd_crawl(args: argparse.Namespace) -> int:
    """Crawl now, once: the named outlets (default every enabled one), then a summary table."""
    cfg = load_app_config(args.config)
    outlets = _select_outlets(cfg, args.outlets)
    app = build_app(cfg)
    live = sys.stderr.isatty() and not args.quiet

    def progress(slug: str, message: str) -> None:
        if live:
            print(f"\r\033[K{slug}: {message}"[:150], end="", file=sys.stderr, flush=True)

    summaries = run_crawl(
        cfg, outlets, app.ingestor().ingest, app.sessions, time_limit=cfg.schedule.crawl_time_limit, progress=progress
    )
    if live:
        print("\r\033[K", end="", file=sys.stderr)
    return _report_crawls(summaries, "alerts they matched are queued for the daemon (or: run.py alerts send)")


def _report_crawls(summaries: Sequence[CrawlSummary], alerts: str) -> int:
    """The table of ``crawl`` and ``run --once``; exit status 1 when an outlet failed."""
    print(_crawl_table(summaries))
    print(f"stored {sum(s.stored for s in summaries)} new articles; {alerts}")
    failed = [s.outlet for s in summaries if s.status in FAILED]
    if failed:
        print(f"error: {len(failed)} outlet(s) failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _select_outlets(cfg: Config, slugs: Sequence[str]) -> list[OutletConfig]:
    if not slugs:
        return list(cfg.outlets)
    known = {o.slug: o for o in cfg.outlets}
    missing = [s for s in slugs if s not in known]
    if missing:
        raise UsageError(f"no enabled outlet named {', '.join(missing)} (enabled: {', '.join(known) or 'none'})")
    return [known[s] for s in slugs]


def _crawl_table(summaries: Sequence[CrawlSummary]) -> str:
    """Per outlet: discovered, skipped as known / too old, fetched, stored, failed with reasons."""
    head = (
        f"{'outlet':<14} {'status':<8} {'found':>5} {'known':>5} {'old':>4} {'fetched':>7} "
        f"{'stored':>6} {'dup':>4} {'empty':>5} {'failed':>6}  reasons"
    )
    lines = [head]
    for s in summaries:
        reasons = ", ".join(f"{reason} x{n}" for reason, n in sorted(s.failures.items(), key=lambda kv: -kv[1]))
        if s.status in FAILED and s.error:
            reasons = s.error
        lines.append(
            f"{s.outlet:<14} {s.status:<8} {s.discovered:>5} {s.skipped_known:>5} {s.skipped_old:>4} {s.fetched:>7} "
            f"{s.stored:>6} {s.duplicates:>4} {s.extract_empty:>5} {s.failed:>6}  {reasons[:100]}"
        )
    return "\n".join(lines)


def cmd_demo(args: argparse.Namespace) -> int:
    """One full cycle against local sandbox sites of the outlets, a local mail server and webhook receiver."""
    from demo import run_demo

    if not args.verbose:
        logging.getLogger().setLevel(logging.WARNING)  # the demo prints its own account
    shipped = Path(args.config) if args.config else Path(__file__).resolve().parent / "config.toml"
    load_app_config(str(shipped))  # a broken config is reported as usual, before any server starts
    return run_demo(shipped, build_app, sys.stdout, Path(args.keep) if args.keep else None)


def cmd_import(args: argparse.Namespace) -> int:
    cfg = load_app_config(args.config)
    app = build_app(cfg)
    ingestor = app.ingestor()
    results: list[str] = []
    for path in args.paths:
        for record in _read_import_file(Path(path), args.url, args.outlet):
            result = ingestor.ingest(record)
            results.append(result.status)
            if result.status != "stored":
                log.info("%s: %s (%s)", record.url, result.status, result.reason)
    stored = results.count("stored")
    dup = results.count("duplicate")
    invalid = results.count("invalid")
    if stored == 0 and results:
        print(f"nothing new: {dup} already stored, {invalid} invalid")
    else:
        print(f"imported {stored} new articles ({dup} already stored, {invalid} invalid)")
    return 0


def _read_import_file(path: Path, url: str | None, outlet: str | None) -> Iterator[ArticleRecord]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    head = data.lstrip()[:200].lower()
    if path.suffix.lower() in (".html", ".htm") or head.startswith((b"<!doctype", b"<html", b"<")):
        extracted = extract(data, url)
        page_url = url or (extracted.canonical_url if extracted else None)
        if extracted is None:
            raise CommandError(f"{path}: no article text found in this HTML page")
        if not page_url:
            raise CommandError(f"{path}: the page has no canonical link; give its address with --url")
        yield ArticleRecord(
            url=page_url,
            title=extracted.title,
            text=extracted.text,
            outlet=outlet or "import",
            author=extracted.author,
            published_at=_aware(extracted.published_at),
        )
        return
    text = data.decode("utf-8-sig")
    items: list[Any]
    try:
        parsed = json.loads(text)
        items = parsed if isinstance(parsed, list) else [parsed]
    except json.JSONDecodeError:
        items = []
        for lineno, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise CommandError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
    for i, item in enumerate(items, 1):
        yield _record_from_json(item, f"{path}: record {i}", outlet)


def _record_from_json(item: Any, where: str, outlet: str | None) -> ArticleRecord:
    if not isinstance(item, dict):
        raise CommandError(f"{where}: expected a JSON object")
    for key in ("url", "text"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise CommandError(f"{where}: missing {key!r}")
    published = None
    if item.get("published_at"):
        try:
            published = _aware(datetime.fromisoformat(str(item["published_at"])))
        except ValueError:
            raise CommandError(f"{where}: published_at is not an ISO 8601 date: {item['published_at']!r}") from None
    return ArticleRecord(
        url=item["url"],
        title=str(item.get("title") or ""),
        text=item["text"],
        outlet=outlet or str(item.get("outlet") or "import"),
        language=item.get("language") or None,
        author=item.get("author") or None,
        published_at=published,
    )


def _aware(value: datetime | None) -> datetime | None:
    """Dates without a zone in imported files are taken as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def cmd_articles(args: argparse.Namespace) -> int:
    cfg = load_app_config(args.config)
    app = build_app(cfg)
    since = _since(args.since)
    with app.sessions() as session:
        articles = repository.list_articles(session, limit=args.limit, since=since, outlet=args.outlet)
        for a in articles:
            if args.json:
                _print_json(
                    {
                        "id": a.id,
                        "url": a.url,
                        "canonical_url": a.canonical_url,
                        "outlet": a.outlet.slug,
                        "title": a.title,
                        "language": a.language,
                        "author": a.author,
                        "published_at": _iso(a.published_at),
                        "fetched_at": _iso(a.fetched_at),
                        "story_id": a.story_id,
                    }
                )
            else:
                when = (a.published_at or a.created_at).strftime("%Y-%m-%d %H:%M")
                print(f"{when}  {a.outlet.slug:<14} {a.language or '--':<3} {a.title[:80]}\n{'':33}{a.url}")
    return 0


def cmd_stories(args: argparse.Namespace) -> int:
    cfg = load_app_config(args.config)
    app = build_app(cfg)
    with app.sessions() as session:
        for story in list_stories(session, since=_since(args.since), limit=args.limit):
            if args.json:
                _print_json({"story_id": story.story_id, "articles": [a.to_json() for a in story.articles]})
                continue
            when, outlets = f"{story.updated_at:%Y-%m-%d %H:%M}", ", ".join(story.outlets)
            print(f"story {story.story_id}  {when}  {len(story.articles)} article(s)  {outlets}")
            for a in story.articles:
                print(f"  {a.outlet:<14} {a.language or '--':<3} {a.title[:80]}\n  {'':18}{a.url}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Per outlet: health, last crawl, last success, last article, articles in 24 h, alerts, next run."""
    from daemon import delivery_totals, format_status, status_rows

    cfg = load_app_config(args.config)
    app = build_app(cfg)
    now = datetime.now(UTC)
    with app.sessions() as session:
        rows = status_rows(session, cfg, now)
        totals = delivery_totals(session)
    if args.json:
        for row in rows:
            _print_json(row)
    else:
        print(format_status(rows, totals, now))
    return 0


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.now(UTC) - timedelta(seconds=parse_duration(text))
    except ValueError as exc:
        raise UsageError(f"--since: {exc}") from None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _print_json(obj: Any, out: TextIO = sys.stdout) -> None:
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")


def cmd_extract(args: argparse.Namespace) -> int:
    """Run extraction on a file, a URL (fetched once) or JSON lines on stdin; print JSON, change nothing."""
    cfg = load_app_config(args.config)
    outlet = None
    if args.outlet:
        try:
            outlet = cfg.outlet(args.outlet)
        except KeyError:
            known = ", ".join(o.slug for o in cfg.outlets) or "none configured"
            print(f"error: --outlet: no outlet named {args.outlet!r} (known: {known})", file=sys.stderr)
            return 2
    if args.source == "-":
        return _extract_lines(cfg, outlet, args.url)
    page_url = args.url
    if args.source.startswith(("http://", "https://")):
        html: str | bytes = _fetch_page(args.source, cfg)
        page_url = page_url or args.source
    else:
        try:
            html = Path(args.source).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {args.source}: {exc.strerror}") from None
    result = _extract_with_outlet(cfg, html, page_url, outlet)
    if result is None:
        raise CommandError(f"{args.source}: no article text found")
    _print_json(result.to_json())
    return 0


def _extract_lines(cfg: Config, outlet: OutletConfig | None, default_url: str | None) -> int:
    """JSON lines {"url", "html"} in, one JSON object out per line; a bad line is reported, not fatal."""
    bad = 0
    for lineno, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("html"), str):
                raise ValueError("expected a JSON object with an 'html' string")
            if item.get("url") is not None and not isinstance(item["url"], str):
                raise ValueError("'url' must be a string")
        except ValueError as exc:  # JSONDecodeError is a ValueError
            bad += 1
            reason = f"not valid JSON ({exc.msg})" if isinstance(exc, json.JSONDecodeError) else str(exc)
            print(f"error: stdin line {lineno}: {reason}", file=sys.stderr)
            _print_json({"url": None, "line": lineno, "error": reason})
            continue
        page_url = item.get("url") or default_url
        result = _extract_with_outlet(cfg, item["html"], page_url, outlet)
        _print_json(result.to_json() if result else {"url": page_url, "line": lineno, "error": "no article text"})
        sys.stdout.flush()
    return 1 if bad else 0


def _extract_with_outlet(
    cfg: Config, html: str | bytes, url: str | None, outlet: OutletConfig | None
) -> Extracted | None:
    """Extract with the given outlet, else the one the URL (or the page's canonical link) belongs to."""
    chosen = outlet or _outlet_for_url(cfg, url)
    result = extract(html, url, outlet=chosen)
    if chosen is None and result is not None and result.canonical_url:
        guessed = _outlet_for_url(cfg, result.canonical_url)
        if guessed is not None:
            result = extract(html, url, outlet=guessed)
    return result


def _outlet_for_url(cfg: Config, url: str | None) -> OutletConfig | None:
    """The configured outlet serving ``url``'s host; its article pattern settles a shared host."""
    if not url:
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    matches = []
    for outlet in cfg.outlets:
        hosts = {(urlsplit(outlet.base_url).hostname or "").lower(), *(d.lower() for d in outlet.domains)}
        if any(host == h or host.endswith("." + h) for h in hosts if h):
            matches.append(outlet)
    for outlet in matches:
        try:
            if re.search(outlet.article_pattern, path):
                return outlet
        except re.error:
            continue
    return matches[0] if matches else None


def _fetch_page(url: str, cfg: Config) -> str | bytes:
    """One GET with redirects and cookies (cookie gates), the crawler's user agent, timeout and
    size cap; decoded as a crawl decodes it."""
    from crawler.extract import decode_html

    limit = cfg.crawler.max_response_bytes
    headers = {"User-Agent": cfg.crawler.user_agent}
    try:
        with (
            httpx.Client(timeout=float(cfg.crawler.timeout), follow_redirects=True, headers=headers) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise CommandError(f"cannot fetch {url}: HTTP {response.status_code}")
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise CommandError(f"cannot fetch {url}: larger than crawler.max_response_bytes ({limit} bytes)")
    except httpx.HTTPError as exc:
        raise CommandError(f"cannot fetch {url}: {exc}") from None
    return decode_html(body, response.charset_encoding) or body


def cmd_match(args: argparse.Namespace) -> int:
    """JSON lines in (id, title, text, language?), one JSON line out per input, in order."""
    cfg = load_app_config(args.config)
    matcher = build_matcher(cfg, _chosen_watches(cfg, args.watch))
    from language import detect_language

    failed = 0
    for lineno, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("expected a JSON object")
            title, text = item.get("title") or "", item.get("text")
            if not isinstance(text, str) or not isinstance(title, str):
                raise ValueError("'text' (and 'title', if given) must be strings")
        except ValueError as exc:  # JSONDecodeError is a ValueError
            failed += 1
            reason = f"not valid JSON ({exc.msg})" if isinstance(exc, json.JSONDecodeError) else str(exc)
            print(f"error: stdin line {lineno}: {reason}", file=sys.stderr)
            _print_json({"id": None, "line": lineno, "error": reason, "matches": []})
            continue
        language = item.get("language") or detect_language(f"{title}\n{text}")
        hits = matcher.match(title, text, language)
        _print_json({"id": item.get("id"), "matches": [hit.to_json() for hit in hits]})
        sys.stdout.flush()
    return 1 if failed else 0


def _chosen_watches(cfg: Config, name: str | None, query: str | None = None) -> list[WatchConfig]:
    """The watch called ``name`` (enabled or not: testing comes before enabling), or every enabled one."""
    if name is None and query is None:
        return [w for w in cfg.watches if w.enabled]
    found = [w for w in cfg.watches if w.name == name]
    if query is not None:
        base = found[0] if found else WatchConfig(name=name or "query", query=query)
        return [dataclasses.replace(base, query=query, enabled=True)]
    if not found:
        known = ", ".join(w.name for w in cfg.watches) or "none configured"
        raise CommandError(f"no watch named {name!r} in [watches] (known: {known})")
    return [dataclasses.replace(found[0], enabled=True)]


def cmd_backtest(args: argparse.Namespace) -> int:
    """Run one watch over stored articles, oldest first, and print what would have alerted."""
    cfg = load_app_config(args.config)
    if args.watch is None and args.query is None:
        raise CommandError("name a WATCH from the config, or give --query")
    watches = _chosen_watches(cfg, args.watch, args.query)
    if args.query is None:
        matcher = build_matcher(cfg, watches)
    else:
        try:
            matcher = Matcher.from_config(watches, cfg.lists)
        except WatchQueryError as exc:  # the query came from the command line, not the file
            raise CommandError(f"--query: {exc}\n{exc.pointer()}") from None
    app = build_app(cfg)
    since = _since(args.since)
    scanned = alerted = repeats = 0
    seen_stories: set[int] = set()
    with app.sessions() as session:
        articles = list(reversed(repository.list_articles(session, limit=None, since=since)))
        for article in articles:
            scanned += 1
            hits = matcher.match(article.title, article.text, article.language)
            if not hits:
                continue
            if article.story_id in seen_stories:
                repeats += 1  # one alert per story: later copies are recorded, not alerted
                continue
            seen_stories.add(article.story_id)
            alerted += 1
            hit = hits[0]
            when = article.published_at or article.created_at
            if args.json:
                _print_json(
                    {
                        "article_id": article.id,
                        "url": article.url,
                        "outlet": article.outlet.slug,
                        "title": article.title,
                        "published_at": _iso(when),
                        **hit.to_json(),
                    }
                )
                continue
            print(f"{when:%Y-%m-%d %H:%M}  {article.outlet.slug:<14} score {hit.score:<6} {article.title[:90]}")
            print(f"{'':18}{article.url}")
            print(f"{'':18}terms: {', '.join(hit.terms)}")
            for snippet in hit.snippets:
                print(f"{'':18}> {snippet.marked()}")
    summary = f"{alerted} alerts from {scanned} articles ({repeats} more matched a story already alerted)"
    print(summary, file=sys.stderr if args.json else sys.stdout)
    return 0


def cmd_alerts_test(args: argparse.Namespace) -> int:
    cfg = load_app_config(args.config)
    if args.channel not in cfg.channels:
        known = ", ".join(cfg.channels) or "none configured"
        raise CommandError(f"no channel named {args.channel!r} in [channels] (known: {known})")
    app = build_app(cfg)
    outcome = app.dispatcher().send_test(args.channel)
    if outcome.status != "delivered":
        raise CommandError(f"test message to {args.channel} failed: {outcome.error}")
    print(f"test message sent to {args.channel}" + (f" over {outcome.transport}" if outcome.transport else ""))
    return 0


def cmd_alerts_list(args: argparse.Namespace) -> int:
    from alerts.dispatch import delivery_summary, list_deliveries

    app = build_app(load_app_config(args.config))
    with app.sessions() as session:
        rows = [delivery_summary(d) for d in list_deliveries(session, failed_only=args.failed, limit=args.limit)]
    for row in rows:
        if args.json:
            _print_json(row)
            continue
        when = datetime.fromisoformat(row["created_at"]).strftime("%Y-%m-%d %H:%M")
        print(f"{when}  {row['id']}  {row['kind']:<7} {row['channel']:<12} {row['status']:<9} "
              f"{row['attempts']:>2}x  {row['summary'][:70]}")  # fmt: skip
        if row["status"] != DeliveryStatus.DELIVERED and row["last_error"]:
            retry = f" (next try {row['next_attempt_at'][:16].replace('T', ' ')} UTC)" if row["next_attempt_at"] else ""
            print(f"{'':18}last error{retry}: {row['last_error'][:200]}")
    if not rows and not args.json:
        print("no failed deliveries" if args.failed else "no deliveries")
    return 0


def cmd_alerts_retry(args: argparse.Namespace) -> int:
    from alerts.dispatch import requeue
    from alerts.errors import UnknownDelivery

    app = build_app(load_app_config(args.config))
    try:
        ids = requeue(app.sessions, args.ids)
    except UnknownDelivery as exc:
        raise CommandError(str(exc)) from None
    print(f"re-queued {len(ids)} deliveries; the daemon sends them within seconds (or run: alerts send)")
    return 0


def cmd_alerts_send(args: argparse.Namespace) -> int:
    from alerts.digest import enqueue_digests

    cfg = load_app_config(args.config)
    app = build_app(cfg)
    enqueue_digests(app.sessions, cfg)
    print(app.dispatcher().dispatch_due())
    return 0


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="Newswatch: news monitoring with alerts for Vietnam-Malaysia defence and maritime affairs.",
    )
    parser.add_argument(
        "--config", metavar="PATH", help="configuration file (default: $NEWSWATCH_CONFIG or config.toml)"
    )
    parser.add_argument("--log-json", action="store_true", help="log one JSON object per line")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("run", help="run the daemon: scheduled crawls, matching and alerts")
    p.add_argument(
        "--once", action="store_true", help="one cycle: crawl every outlet, send alerts, print a summary, exit"
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="one offline cycle: sandbox outlets, local mail and webhook servers, then a report")
    p.add_argument("--keep", metavar="DIR", help="keep the demo database in DIR (default: a temporary folder)")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("db", help="database maintenance (db upgrade)")
    dbsub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    dbsub.add_parser("upgrade", help="apply migrations up to the newest schema").set_defaults(func=cmd_db_upgrade)

    p = sub.add_parser("crawl", help="crawl now, once (all enabled outlets or those named) and print a summary")
    p.add_argument("outlets", nargs="*", metavar="OUTLET", help="outlet names (default: every enabled outlet)")
    p.add_argument("--quiet", action="store_true", help="no progress line on a terminal")
    p.set_defaults(func=cmd_crawl)
    p = sub.add_parser("import", help="store articles from JSON, JSON-lines or HTML files")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--url", help="the address of an HTML file's page (default: its canonical link)")
    p.add_argument("--outlet", help="outlet slug for the imported articles (default: the record's or 'import')")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("articles", help="list stored articles, newest first")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--since", metavar="DURATION", help="only articles from the last DURATION, e.g. 24h")
    p.add_argument("--outlet", metavar="SLUG")
    p.set_defaults(func=cmd_articles)

    p = sub.add_parser("stories", help="stories newest first, each with every outlet's article")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--since", metavar="DURATION", help="only stories updated in the last DURATION, e.g. 24h")
    p.set_defaults(func=cmd_stories)

    p = sub.add_parser("status", help="per-outlet health, last crawl, articles in 24 h, alerts, next crawl")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("extract", help="print the article extracted from an HTML file, a URL or stdin")
    p.add_argument("source", metavar="FILE|URL|-", help='HTML file, http(s) URL, or - for JSON lines {"url", "html"}')
    p.add_argument("--url", help="the page's address (for a file or stdin lines without one)")
    p.add_argument("--outlet", metavar="SLUG", help="use this outlet's hints and timezone (default: from the URL)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("match", help="match JSON lines from stdin (id, title, text, language) against the watches")
    p.add_argument("--watch", metavar="NAME", help="only this watch (it may be disabled)")
    p.set_defaults(func=cmd_match)

    p = sub.add_parser("backtest", help="run a watch over stored articles and print what it would have alerted")
    p.add_argument("watch", nargs="?", metavar="WATCH", help="a watch from the config")
    p.add_argument("--query", metavar="Q", help="try this query instead (with WATCH's other settings, if named)")
    p.add_argument("--since", metavar="DURATION", help="only articles from the last DURATION, e.g. 7d")
    p.add_argument("--json", action="store_true", help="one JSON object per alert")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("alerts", help="alert deliveries: test a channel, list, retry, send now")
    asub = p.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    q = asub.add_parser("test", help="send a clearly marked test message to CHANNEL and report the result")
    q.add_argument("channel", metavar="CHANNEL")
    q.set_defaults(func=cmd_alerts_test)
    q = asub.add_parser("list", help="deliveries, newest first")
    q.add_argument("--failed", action="store_true", help="only deliveries that gave up or were disabled")
    q.add_argument("--json", action="store_true", help="one JSON object per line, with every attempt")
    q.add_argument("--limit", type=int, default=50)
    q.set_defaults(func=cmd_alerts_list)
    q = asub.add_parser("retry", help="re-queue deliveries (default: every failed and disabled one)")
    q.add_argument("ids", nargs="*", metavar="ID")
    q.set_defaults(func=cmd_alerts_retry)
    q = asub.add_parser("send", help="queue due digests and send every due delivery now")
    q.set_defaults(func=cmd_alerts_send)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.log_json, args.verbose)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the last boundary: one line for the user, the traceback with -v
        log.debug("unexpected error", exc_info=True)
        print(f"error: {type(exc).__name__}: {exc}".splitlines()[0] + " (run with -v for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
