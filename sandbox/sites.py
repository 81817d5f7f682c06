"""Fake copies of the preset outlets: one HTTP server per site on 127.0.0.1.

Every path a preset in ``crawler/outlets/presets.toml`` declares (feeds, sitemaps, listings
with pagination, article URLs, robots.txt) answers with the preset's real path shapes, so a
test config only overrides each outlet's ``base_url``. The quirks of the real sites are
reproduced: qdnd's cookie gate (302 to the same URL with ``muid_mly``), Bernama's ISO-8859-1
feeds without dates and with several URLs per article, a UTF-16 vietnamnews feed, Google News
sitemaps, ETag / Last-Modified with 304 answers. Tests can add routes and inject faults.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from sandbox import render
from sandbox.filler import filler_stories
from sandbox.layout import ARTICLE_PAGES, article_path, documents, listing_page, page_of, render_family
from sandbox.model import Article, Story
from sandbox.ports import Server, bind_loopback, http_server, port_of
from sandbox.stories import STORIES

# site -> the preset slugs it serves (Bernama's two editions share one host)
SITES: dict[str, tuple[str, ...]] = {
    "qdnd": ("qdnd",),
    "qdnd-en": ("qdnd-en",),
    "vietnamnews": ("vietnamnews",),
    "bernama": ("bernama-en", "bernama-bm"),
    "thesun": ("thesun",),
    "vietnamplus": ("vietnamplus",),
}
SITE_OF = {slug: site for site, slugs in SITES.items() for slug in slugs}
LANGUAGE = {
    "qdnd": "vi",
    "qdnd-en": "en",
    "vietnamnews": "en",
    "bernama-en": "en",
    "bernama-bm": "ms",
    "thesun": "en",
    "vietnamplus": "vi",
}
# Listing pages per outlet: (path, title, sections listed). publish() uses the first one's first section.
LISTINGS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "qdnd": [
        ("/quoc-phong-an-ninh/tin-tuc", "Tin tức", ("quoc-phong-an-ninh/tin-tuc",)),
        ("/quoc-te/doi-ngoai-quoc-phong", "Đối ngoại quốc phòng", ("quoc-te/doi-ngoai-quoc-phong",)),
    ],
    "qdnd-en": [
        ("/military/news", "Military - News", ("military/news",)),
        (
            "/military/intl-relations-and-cooperation",
            "International relations and cooperation",
            ("military/intl-relations-and-cooperation",),
        ),
    ],
    "vietnamnews": [("/politics-laws", "Politics & Laws", ("politics-laws",))],
    "bernama-en": [
        ("/en/general/index.php", "General", ("general",)),
        ("/en/world/index.php", "World", ("world",)),
        ("/en/politics/index.php", "Politics", ("politics",)),
    ],
    "bernama-bm": [
        ("/bm/am/index.php", "Am", ("am",)),
        ("/bm/dunia/index.php", "Dunia", ("dunia",)),
        ("/bm/politik/index.php", "Politik", ("politik",)),
    ],
    "thesun": [("/malaysia-news", "Malaysia News", ("malaysia-news",))],
    "vietnamplus": [],
}
DEFAULT_SECTION = {
    "qdnd": "quoc-phong-an-ninh/tin-tuc",
    "qdnd-en": "military/news",
    "vietnamnews": "politics-laws",
    "bernama-en": "general",
    "bernama-bm": "am",
    "thesun": "malaysia-news",
    "vietnamplus": "chinhtri",
}
PAGE_SIZE = 20
FEED_MAX_AGE = timedelta(days=4)  # Bernama's dateless feeds only carry recent items
ROBOTS_DISALLOW = {
    "qdnd": ["/preview/", "/services/", "/api/", "/search/", "/tim-kiem/", "/audio", "/video"],
    "qdnd-en": ["/preview/", "/services/", "/api/", "/search/", "/tim-kiem/"],
    "vietnamnews": ["/search", "/admin/"],
    "bernama": ["/en/search.php", "/bm/search.php", "/admin/"],
    "thesun": ["/search", "/api/"],
    "vietnamplus": ["/search", "/api/", "/preview/"],
}
COOKIE = "muid_mly"
_BERNAMA_ARTICLE = re.compile(r"^/(en|bm)/(?:[a-z_-]+/)?news[a-z_-]*\.php$")


@dataclass(frozen=True)
class RequestRecord:
    """One request a sandbox answered: ``site`` is the host's name, ``outlet`` the slug when known."""

    site: str
    outlet: str | None
    method: str
    path: str
    status: int
    headers: dict[str, str]


@dataclass
class _Route:
    body: bytes
    status: int
    headers: dict[str, str]


@dataclass
class _Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    conditional: bool = False  # feeds and sitemaps answer 304 to a matching validator
    article: str | None = None  # outlet slug when this is a 200 article page


class OutletSites(Server):
    """Fake copies of every preset outlet; see the README section "Sandbox"."""

    def __init__(
        self,
        now: datetime | None = None,
        crawl_delay: float | None = None,
        extra_articles: int = 0,
        ports: Mapping[str, int] | None = None,
    ) -> None:
        self._fixed_now = now
        self.now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        self.crawl_delay = crawl_delay
        # Each site's socket is bound now and listens from start() (``sandbox.ports``).
        self._sockets: dict[str, socket.socket] = {}
        try:
            for site in SITES:
                self._sockets[site] = bind_loopback(dict(ports or {}).get(site, 0))
        except OSError:
            self._close_sockets()
            raise
        self._ports = {site: port_of(sock) for site, sock in self._sockets.items()}
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._fault_changed = threading.Condition(self._lock)
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self._threads: list[threading.Thread] = []
        self._faults: dict[str, str] = {}
        self._held: dict[str, int] = dict.fromkeys(SITES, 0)  # requests a "hang" holds right now
        self._routes: dict[tuple[str, str], _Route] = {}
        self._fetches: dict[str, int] = dict.fromkeys(SITE_OF, 0)
        self._cache: dict[tuple[str, str], _Response] = {}
        self._changed: dict[str, datetime] = {}
        self.requests: list[RequestRecord] = []
        self._stories: dict[str, list[Story]] = {slug: [] for slug in SITE_OF}
        for story in STORIES:
            self._stories[story.outlet].append(story)
        for slug in SITE_OF:
            self._stories[slug].extend(filler_stories(slug, LANGUAGE[slug], extra_articles, DEFAULT_SECTION[slug]))
        self._articles: dict[str, list[Article]] = {}

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        if self._servers:
            return self
        self._stopping.clear()
        for site in SITES:
            sock = self._sockets.pop(site, None) or bind_loopback(self._ports[site])  # bound anew after a stop
            server = http_server(sock, _handler_for(self, site))
            server.block_on_close = False
            self._servers[site] = server
        for slug in SITE_OF:
            self._articles[slug] = sorted(
                (self._article(s) for s in self._stories[slug]), key=lambda a: a.published_at, reverse=True
            )
            self._changed[slug] = max((a.published_at for a in self._articles[slug]), default=self.now)
        for site, server in self._servers.items():
            thread = threading.Thread(target=server.serve_forever, args=(0.05,), name=f"sandbox-{site}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            self._fault_changed.notify_all()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()
        self._close_sockets()

    def _close_sockets(self) -> None:
        """Those bound and never started."""
        for sock in self._sockets.values():
            sock.close()
        self._sockets.clear()

    # ------------------------------------------------------------ public API

    @property
    def ports(self) -> dict[str, int]:
        """Each site's port, bound from construction on (``sandbox.ports``)."""
        return dict(self._ports)

    def base_url(self, slug: str) -> str:
        site = SITE_OF.get(slug, slug)
        if site not in self._servers:
            raise RuntimeError("the sandbox is not running: call start() or use it as a context manager")
        host, port = self._servers[site].server_address[:2]
        return f"http://{host!s}:{port}"

    def outlet_overrides(self) -> dict[str, dict[str, Any]]:
        """``{slug: {"base_url": ...}}`` for every preset, to merge into ``[outlets.<slug>]`` tables."""
        return {slug: {"base_url": self.base_url(slug)} for slug in SITE_OF}

    def publish(self, slug: str, title: str, text: str, published_at: datetime | None = None) -> str:
        """Put a new article on the outlet's feeds, sitemaps and first listing page; returns its URL."""
        paragraphs = tuple(p.strip() for p in text.split("\n") if p.strip())
        when = (published_at or self._fixed_now or datetime.now(UTC)).astimezone(UTC)
        with self._lock:
            new_id = max((s.id for s in self._stories[slug]), default=1000) + 1
            story = Story(
                slug, new_id, DEFAULT_SECTION[slug], 0, False, title, paragraphs[0] if paragraphs else title, paragraphs
            )
            self._stories[slug].append(story)
            article = replace(self._article(story), published_at=when)
            self._articles[slug] = sorted([*self._articles[slug], article], key=lambda a: a.published_at, reverse=True)
            stamp = datetime.now(UTC).replace(microsecond=0)
            self._changed[slug] = max(stamp, self._changed[slug] + timedelta(seconds=1))
            site = SITE_OF[slug]
            for key in [k for k in self._cache if k[0] == site]:
                del self._cache[key]
        return article.url

    def article_fetches(self, slug: str) -> int:
        with self._lock:
            return self._fetches[slug]

    def set_fault(self, slug: str, fault: str | None) -> None:
        """``hang``: hold every request until cleared or stopped; ``500``; ``down``: close at once."""
        if fault not in (None, "hang", "500", "down"):
            raise ValueError(f"unknown fault {fault!r}: expected 'hang', '500', 'down' or None")
        site = SITE_OF.get(slug, slug)
        with self._lock:
            if fault is None:
                self._faults.pop(site, None)
            else:
                self._faults[site] = fault
            self._fault_changed.notify_all()

    def held(self, slug: str) -> int:
        """How many requests to the outlet's site a ``hang`` fault is holding right now."""
        with self._lock:
            return self._held[SITE_OF.get(slug, slug)]

    def add_route(
        self, slug: str, path: str, body: bytes = b"", status: int = 200, headers: Mapping[str, str] | None = None
    ) -> None:
        """Answer ``path`` (with its query, if any) on the outlet's site with exactly this response."""
        with self._lock:
            self._routes[(SITE_OF.get(slug, slug), path)] = _Route(body, status, dict(headers or {}))

    def articles(self, slug: str) -> list[Article]:
        with self._lock:
            return list(self._articles[slug])

    # ------------------------------------------------------------ building articles

    def _article(self, story: Story) -> Article:
        slug = story.outlet
        published = self.now - timedelta(hours=story.hours_ago)
        path = article_path(story)
        paragraphs = story.body
        if slug.startswith("bernama") and story.place and paragraphs:
            probe = Article(slug, story.id, "", path, story.section, "", "", (), published, LANGUAGE[slug], False)
            paragraphs = (render.bernama_dateline(probe, story.place) + paragraphs[0], *paragraphs[1:])
        base = self.base_url(slug)
        return Article(
            outlet=slug,
            id=story.id,
            url=base + path,
            path=path,
            section=story.section,
            title=story.title,
            lead=story.lead,
            paragraphs=paragraphs,
            published_at=published,
            language=LANGUAGE[slug],
            on_topic=story.on_topic,
            author=story.author,
            caption=story.caption,
        )

    # ------------------------------------------------------------ serving

    def _fault(self, site: str) -> str | None:
        with self._lock:
            self._held[site] += 1  # seen by held() only while waiting (wait releases the lock)
            while self._faults.get(site) == "hang" and not self._stopping.is_set():
                self._fault_changed.wait(0.2)
            self._held[site] -= 1
            return None if self._stopping.is_set() else self._faults.get(site)

    def _record(self, site: str, method: str, path: str, status: int, headers: Mapping[str, str]) -> None:
        with self._lock:
            self.requests.append(RequestRecord(site, _outlet_of(site, path), method, path, status, dict(headers)))

    def _respond(self, site: str, target: str, headers: Mapping[str, str], host: str) -> _Response:
        parts = urlsplit(target)
        path, query = parts.path or "/", parts.query
        if path == "/robots.txt":
            return self._robots(site)
        if site in ("qdnd", "qdnd-en") and f"{COOKIE}=" not in headers.get("cookie", ""):
            return self._gate(host, target)
        with self._lock:
            route = self._routes.get((site, target)) or self._routes.get((site, path))
        if route is not None:
            return _Response(route.status, route.body, dict(route.headers))
        key = (site, target)
        with self._lock:
            cached = self._cache.get(key)
        if cached is None:
            cached = self._build(site, path, parse_qs(query))
            if cached.status == 200:
                with self._lock:
                    self._cache[key] = cached
        return cached

    def _gate(self, host: str, target: str) -> _Response:
        expires = format_datetime(datetime.now(UTC) + timedelta(days=120), usegmt=True)
        token = f"{time.time_ns():x}"
        return _Response(
            302,
            b"",
            {
                "Location": f"http://{host}{target}",
                "Content-Type": "text/html",
                "Set-Cookie": f"{COOKIE}={token}; Path=/; Expires={expires}; HttpOnly; SameSite=Lax",
            },
        )

    def _robots(self, site: str) -> _Response:
        lines = ["User-agent: *", *(f"Disallow: {p}" for p in ROBOTS_DISALLOW[site]), "Allow: /"]
        if self.crawl_delay is not None:
            lines.append(f"Crawl-delay: {self.crawl_delay:g}")
        return _Response(200, ("\n".join(lines) + "\n").encode(), {"Content-Type": "text/plain"})

    def _build(self, site: str, path: str, query: dict[str, list[str]]) -> _Response:
        for slug in SITES[site]:
            built = self._build_for(slug, path, query)
            if built is not None:
                return built
        return _not_found()

    def _build_for(self, slug: str, path: str, query: dict[str, list[str]]) -> _Response | None:
        with self._lock:
            arts = list(self._articles[slug])
            changed = self._changed[slug]
        base = self.base_url(slug)
        fresh = [a for a in arts if self.now - a.published_at <= FEED_MAX_AGE or a.published_at > self.now]
        doc = documents(slug, path, arts, fresh, base)
        if doc is not None:
            body, ctype = doc
            return _Response(
                200, body, {"Content-Type": ctype, "Last-Modified": format_datetime(changed, usegmt=True)}, True
            )
        page_no = 1
        for listing, title, sections in LISTINGS[slug]:
            page_no = page_of(slug, listing, path, query)
            if page_no:
                items = [a for a in arts if a.section in sections]
                pages = max(1, -(-len(items) // PAGE_SIZE))
                if page_no > pages:
                    return _not_found()
                chunk = items[(page_no - 1) * PAGE_SIZE : page_no * PAGE_SIZE]
                body = listing_page(slug, title, listing, chunk, page_no, pages)
                return _Response(200, body, {"Content-Type": "text/html; charset=utf-8"})
        if slug == "vietnamplus" and path == "/":
            return _Response(200, render.vnp_home(arts[:PAGE_SIZE]), {"Content-Type": "text/html; charset=utf-8"})
        article = self._find_article(slug, path, query, arts)
        if article is None:
            return None
        related = [a for a in arts if a.id != article.id][:5]
        body = ARTICLE_PAGES[render_family(slug)](article, base, related)
        return _Response(200, body, {"Content-Type": "text/html; charset=utf-8"}, article=slug)

    def _find_article(self, slug: str, path: str, query: dict[str, list[str]], arts: list[Article]) -> Article | None:
        if slug.startswith("bernama"):
            match = _BERNAMA_ARTICLE.match(path)
            ids = query.get("id", [])
            if not match or path.split("/")[1] != slug.split("-")[1] or len(ids) != 1 or not ids[0].isdigit():
                return None
            wanted = int(ids[0])
            return next((a for a in arts if a.id == wanted), None)
        return next((a for a in arts if a.path == path), None)


def _not_found() -> _Response:
    return _Response(404, b"<html><body><h1>404 Not Found</h1></body></html>", {"Content-Type": "text/html"})


def _outlet_of(site: str, path: str) -> str | None:
    slugs = SITES.get(site, ())
    if len(slugs) == 1:
        return slugs[0]
    for slug in slugs:
        if path.startswith("/" + slug.split("-")[1] + "/"):
            return slug
    return None


def _not_modified(response: _Response, headers: Mapping[str, str]) -> bool:
    inm = headers.get("if-none-match")
    if inm is not None:
        return render.etag(response.body) in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
    ims = headers.get("if-modified-since")
    if ims and "Last-Modified" in response.headers:
        with contextlib.suppress(TypeError, ValueError):
            return parsedate_to_datetime(response.headers["Last-Modified"]) <= parsedate_to_datetime(ims)
    return False


def _handler_for(sites: OutletSites, site: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 1 << 16  # headers and body leave in one write (no Nagle / delayed-ACK stall per request)
        server_version = "VEdge" if site.startswith("qdnd") else "nginx"

        def do_GET(self) -> None:
            self._serve(send_body=True)

        def do_HEAD(self) -> None:
            self._serve(send_body=False)

        def _serve(self, send_body: bool) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            fault = sites._fault(site)
            if sites._stopping.is_set() or fault == "down":
                sites._record(site, self.command, self.path, 0, headers)
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            if fault == "500":
                response = _Response(
                    500, b"<html><body>Internal Server Error</body></html>", {"Content-Type": "text/html"}
                )
            else:
                response = sites._respond(site, self.path, headers, headers.get("host", "127.0.0.1"))
            out = dict(response.headers)
            status = response.status
            if response.conditional:
                out["ETag"] = render.etag(response.body)
                if _not_modified(response, headers):
                    status = 304
            body = b"" if status == 304 else response.body
            if status == 200 and response.article and self.command == "GET":
                with sites._lock:
                    sites._fetches[response.article] += 1
            sites._record(site, self.command, self.path, status, headers)
            self.send_response(status)
            for name, value in out.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body and body:
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
