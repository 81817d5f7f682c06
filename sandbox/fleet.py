"""A fleet of plain outlets on 127.0.0.1 for cluster tests: any number, declared in ``config.toml`` (no
preset), several of them on one host when asked, with new articles published while a test runs.

Each host is one HTTP server (its own port: ``127.0.0.1:PORT`` is the host the crawl lock and
politeness go by) serving ``/robots.txt`` and, for each of its outlets, ``/<slug>/rss.xml`` (every
article, newest first, with its date) and ``/<slug>/news/<n>.html`` (an ordinary news page, about
8 KB, with its canonical link). Articles start as a few off-topic fillers (``sandbox.filler``);
``publish`` adds one.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from typing import Self

from sandbox import render
from sandbox.filler import filler_stories
from sandbox.model import Article
from sandbox.ports import QuietHandler, Server, adopt, bind_loopback


class OutletFleet(Server):
    """``hosts``: the outlet slugs each host serves (outlets sharing a host are never to be
    crawled at once); each outlet starts with ``articles`` filler articles."""

    def __init__(self, hosts: Sequence[Sequence[str]], articles: int = 2) -> None:
        self._lock = threading.Lock()
        self._servers = [_Host(self, tuple(slugs)) for slugs in hosts]
        self._host_of = {slug: server for server in self._servers for slug in server.slugs}
        self._articles: dict[str, list[Article]] = {slug: [] for slug in self._host_of}
        self._published = 0
        now = datetime.now(UTC).replace(microsecond=0)
        for slug in self._host_of:
            for story in filler_stories(slug, "en", articles, "news"):
                self._add(slug, story.title, story.body, now - timedelta(hours=story.hours_ago))
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        for server in self._servers:
            server.server_activate()
            thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        for server in self._servers:
            if self._threads:  # shutdown() waits for a serve_forever() that a server never started would never run
                server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    # ------------------------------------------------------------ public API

    @property
    def slugs(self) -> list[str]:
        return list(self._host_of)

    def host(self, slug: str) -> str:
        """``127.0.0.1:PORT``, the host serving ``slug``."""
        return self._host_of[slug].netloc

    def outlet_tables(self) -> dict[str, list[str]]:
        """``[outlets.<slug>]`` tables (TOML lines) declaring every outlet."""
        return {
            f"outlets.{slug}": [
                f'name = "Outlet {slug}"',
                f'base_url = "http://{self.host(slug)}"',
                'language = "en"',
                'timezone = "UTC"',
                f"article_pattern = '^/{slug}/news/\\d+\\.html$'",
                f'feeds = ["/{slug}/rss.xml"]',
            ]
            for slug in self._host_of
        }

    def publish(self, slug: str, title: str, text: str) -> str:
        """A new article on the outlet's feed, published now; its URL."""
        return self._add(slug, title, tuple(p for p in text.split("\n") if p.strip()), datetime.now(UTC)).url

    def new_story(self, slug: str) -> tuple[str, str]:
        """A title and text never given before (an off-topic local story), for ``publish``."""
        with self._lock:
            self._published += 1
            [story] = filler_stories(f"{slug}#{self._published}", "en", 1, "news")
        return story.title, "\n".join(story.body)

    def filler(self, slug: str) -> str:
        """Publish a new off-topic article; its URL."""
        return self.publish(slug, *self.new_story(slug))

    def articles(self, slug: str) -> list[Article]:
        with self._lock:
            return list(self._articles[slug])

    # ------------------------------------------------------------ serving

    def _add(self, slug: str, title: str, paragraphs: tuple[str, ...], when: datetime) -> Article:
        with self._lock:
            n = len(self._articles[slug])
            path = f"/{slug}/news/{n}.html"
            article = Article(
                slug, n, f"http://{self.host(slug)}{path}", path, "news", title, paragraphs[0], paragraphs, when, "en",
                False, "Staff reporter",
            )  # fmt: skip
            self._articles[slug] = [*self._articles[slug], article]
        return article

    def _answer(self, server: _Host, path: str) -> tuple[int, bytes, str]:
        if path == "/robots.txt":
            return 200, b"User-agent: *\nAllow: /\n", "text/plain"
        slug, _, rest = path.lstrip("/").partition("/")
        if slug not in server.slugs:
            return 404, b"not found", "text/plain"
        articles = self.articles(slug)
        base = f"http://{server.netloc}"
        if rest == "rss.xml":
            items = [(a.title, a.url, a.lead, a.published_at) for a in reversed(articles)]
            return 200, render.rss(f"Outlet {slug}", base, "A plain outlet", "en", items), "application/rss+xml"
        number = rest.removeprefix("news/").removesuffix(".html")
        if rest.startswith("news/") and rest.endswith(".html") and number.isdigit() and int(number) < len(articles):
            page = render.thesun_article(articles[int(number)], base, [])
            return 200, page, "text/html; charset=utf-8"
        return 404, b"not found", "text/plain"


class _Host(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, fleet: OutletFleet, slugs: tuple[str, ...]) -> None:
        self.fleet, self.slugs = fleet, slugs
        super().__init__(("127.0.0.1", 0), _Handler, bind_and_activate=False)
        adopt(self, bind_loopback())  # its port from now on, listening from start() (``sandbox.ports``)
        self.netloc = f"127.0.0.1:{self.server_address[1]}"


class _Handler(QuietHandler):
    server: _Host
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16  # headers and body in one write

    def do_GET(self) -> None:
        status, body, kind = self.server.fleet._answer(self.server, self.path)
        self.reply(status, body, kind)
