"""Crawl pipeline against bare trafilatura on real-size pages, in one run.

Pages: the recorded vnexpress article page in ``/work/shared/outlets/samples`` (about 250 KB of
real markup: navigation, scripts, related links) with its article body replaced by two of the
recorded qdnd article bodies, so every page has its own text and title; read from the samples
folder at run time, never copied into the repository. A loopback outlet serves them behind
an RSS feed (politeness delays off).

Figures, in the same run on the same pages:

* bare trafilatura (``trafilatura.extract(html, url=url)``) in this process: documents/s on one
  core, the reference;
* the whole pipeline (``run_crawl``: feed -> fetch -> extract in the crawl child's pool -> dedup,
  match, store in this process, a fresh SQLite database each time) with ``extract_processes``
  1, 2, ...: articles stored/s, its ratio to trafilatura's rate on one core, how many cores were
  busy on average (CPU time of this process and all its children / wall time), and the time
  this process spent ingesting (the single writer: dedup, story linking, matching, storing),
  which bounds the rate when it approaches the wall time.

    .venv/bin/python bench/pipeline_bench.py [--pages 120] [--processes 1 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from app import build_app  # noqa: E402
from config import config_from_dict  # noqa: E402
from crawler.pool import available_cores  # noqa: E402
from crawler.runner import run_crawl  # noqa: E402
from sandbox.ports import QuietHandler  # noqa: E402
from storage.records import ArticleRecord, IngestResult  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "outlets" / "samples"
CHROME = SAMPLES / "vnexpress_article_2025-10-22__fundus-test-fixture.html"
BODIES = SAMPLES / "qdnd_articleBody-html-fragments_2025-01-16__github-mourinhan8-qdnd-crawler_articles.json"


def make_pages(count: int) -> list[bytes]:
    chrome = CHROME.read_text(encoding="utf-8")
    start = chrome.index('<article class="fck_detail')
    end = chrome.index("</article>", start) + len("</article>")
    h1_start = chrome.index('<h1 class="title-detail">')
    h1_end = chrome.index("</h1>", h1_start) + len("</h1>")
    old_title = chrome[h1_start:h1_end].split(">", 1)[1].rsplit("<", 1)[0].strip()
    items = json.loads(BODIES.read_text(encoding="utf-8"))
    bodies = list({item["article_text"]: item for item in items}.values())  # the file repeats some
    pages = []
    for i in range(count):
        first, second = bodies[i % len(bodies)], bodies[(i // len(bodies) + 1 + i) % len(bodies)]
        title = f"{first['title']} ({i})"
        article = (
            f'<article class="fck_detail "><p class="description">{first["summary"]}</p>'
            f'<div itemprop="articleBody">{_inner(first)}{_inner(second)}</div></article>'
        )
        page = (
            chrome[:h1_start] + f'<h1 class="title-detail">{title}</h1>' + chrome[h1_end:start] + article + chrome[end:]
        )
        pages.append(page.replace(old_title, title).encode())
    return pages


def _inner(item: dict[str, str]) -> str:
    """A recorded body without its ``<div itemprop="articleBody">`` wrapper (two are joined in one)."""
    text = item["article_text"].strip()
    if text.startswith("<div") and text.endswith("</div>"):
        text = text.split(">", 1)[1][: -len("</div>")]
    return text


class Outlet(ThreadingHTTPServer):
    def __init__(self, pages: list[bytes]) -> None:
        self.pages = pages
        super().__init__(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def feed(self) -> bytes:
        now = format_datetime(datetime.now(UTC))
        items = "".join(
            f"<item><title>Tin {i}</title><link>{self.url}/news/{i}.html</link><pubDate>{now}</pubDate></item>"
            for i in range(len(self.pages))
        )
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>{items}</channel></rss>'.encode()


class _Handler(QuietHandler):
    server: Outlet

    def do_GET(self) -> None:
        body, kind = b"not found", "text/plain"
        if self.path == "/rss.xml":
            body, kind = self.server.feed(), "application/rss+xml"
        elif self.path.startswith("/news/") and self.path.endswith(".html"):
            number = self.path[len("/news/") : -len(".html")]
            if number.isdigit() and int(number) < len(self.server.pages):
                body, kind = self.server.pages[int(number)], "text/html; charset=utf-8"
        self.reply(200 if kind != "text/plain" else 404, body, kind)


def cpu_seconds() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def trafilatura_rate(pages: list[bytes], url: str) -> float:
    for page in pages[:3]:
        trafilatura.extract(page, url=url)
    started = time.perf_counter()
    for i, page in enumerate(pages):
        trafilatura.extract(page, url=f"{url}/news/{i}.html")
    return len(pages) / (time.perf_counter() - started)


def crawl(outlet: Outlet, processes: int, folder: str) -> tuple[int, float, float, float]:
    """(articles stored, wall seconds, cores busy, seconds spent ingesting) of one crawl of the
    outlet into a new database."""
    cfg = config_from_dict(
        {
            "storage": {"database_url": f"sqlite:///{folder}/bench-{processes}.db"},
            "crawler": {
                "download_delay": "0s",
                "autothrottle": False,
                "obey_robots": False,
                "concurrency_per_domain": 16,
                "extract_processes": processes,
            },
            "outlets": {
                "enabled": ["bench"],
                "bench": {
                    "name": "Bench",
                    "base_url": outlet.url,
                    "language": "vi",
                    "timezone": "Asia/Ho_Chi_Minh",
                    "article_pattern": r"^/news/\d+\.html$",
                    "feeds": ["/rss.xml"],
                },
            },
        },
        env={},
    )
    app = build_app(cfg)
    try:
        ingestor = app.ingestor()
        ingesting = [0.0]

        def ingest(record: ArticleRecord) -> IngestResult:
            started = time.perf_counter()
            try:
                return ingestor.ingest(record)
            finally:
                ingesting[0] += time.perf_counter() - started

        cpu, started = cpu_seconds(), time.perf_counter()
        (summary,) = run_crawl(cfg, cfg.outlets, ingest, app.sessions, time_limit=600)
        wall = time.perf_counter() - started
        busy = (cpu_seconds() - cpu) / wall
        if summary.stored != len(outlet.pages):
            print(f"  (crawl {summary.status}: {summary.fetched} fetched, {summary.stored} stored, {summary.error})")
        return summary.stored, wall, busy, ingesting[0]
    finally:
        app.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=120)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    pages = make_pages(args.pages)
    sizes = sorted(len(p) for p in pages)
    print(
        f"{len(pages)} pages, {sizes[0] / 1024:.0f}-{sizes[-1] / 1024:.0f} KiB "
        f"(mean {sum(sizes) / len(sizes) / 1024:.0f} KiB); {available_cores()} cores available"
    )
    with Outlet(pages) as outlet, tempfile.TemporaryDirectory() as folder:
        threading.Thread(target=outlet.serve_forever, daemon=True).start()
        reference = trafilatura_rate(pages, outlet.url)
        print(f"bare trafilatura, this process:  {reference:6.1f} documents/s (one core)")
        for processes in args.processes:
            stored, wall, busy, ingesting = crawl(outlet, processes, folder)
            rate = stored / wall
            print(
                f"pipeline, extract_processes={processes}: {rate:6.1f} articles/s ({stored} stored in {wall:.1f} s), "
                f"{rate / reference:.2f}x trafilatura, {busy:.2f} cores busy; ingestion (dedup, stories, "
                f"match, store: one writer) {ingesting / max(stored, 1) * 1000:.0f} ms/article, "
                f"{ingesting / wall:.0%} of the wall time"
            )
        outlet.shutdown()


if __name__ == "__main__":
    main()
