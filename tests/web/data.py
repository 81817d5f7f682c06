"""A database for the console tests, built through the real paths: ingest (dedup, matching,
the outbox), the dispatcher sending to a webhook receiver on 127.0.0.1 and to a closed port,
and crawl runs recorded with the repository functions the crawler uses."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from alerts.channels import build_channels
from alerts.dispatch import Dispatcher
from alerts.outbox import Outbox
from alerts.render import Renderer
from config import Config
from sandbox.webhook import SECRET, WebhookReceiver
from storage import db, repository
from storage.dedup.index import StoryIndex
from storage.ingest import Ingestor
from storage.models import CrawlFailure, CrawlRun
from storage.records import ArticleRecord
from storage.status import CrawlStatus
from tests.helpers import make_config

NOW = datetime.now(UTC).replace(microsecond=0)
ENV = {"WEB_TOKEN": "s3cret-token", "WEB_PASSWORD": "pass word"}  # for the tests of credentials
SCRIPT_TITLE = "<script>document.title='pwned'</script> Coast guard <b>drill</b> & MMEA"

WIRE = (
    "The Malaysian Maritime Enforcement Agency (MMEA) detained a Vietnamese fishing boat with "
    "14 crew members about 105 nautical miles off Kuala Terengganu on Tuesday morning. "
    "Terengganu maritime director Muhammad Suffi Mohd Ramli said the boat was found fishing "
    "without a permit inside Malaysian waters during Operation Permai. "
    "The crew, aged between 20 and 58, were taken to the Kuala Terengganu maritime jetty for "
    "further action under the Fisheries Act 1985. "
    "The agency seized about 300 kilograms of fish and fishing equipment worth RM500,000."
)
NAVY_VI = (
    "Sáng 3/12, tại Hà Nội, Bộ Quốc phòng Việt Nam tổ chức lễ đón Tư lệnh Hải quân Hoàng gia "
    "Malaysia thăm chính thức Việt Nam. Hai bên trao đổi về hợp tác hải quân, tuần tra chung và "
    "đường dây nóng giữa hai lực lượng trên biển. Đoàn sẽ thăm Bộ Tư lệnh Vùng 5 Hải quân tại "
    "Phú Quốc và làm việc với Cảnh sát biển Việt Nam về trao đổi thông tin trên biển."
)
FILLER = [
    (
        "Port authority opens new container terminal",
        "The port authority opened a container terminal "
        "on Monday, adding capacity for 2 million containers a year, officials said at the ceremony.",
    ),
    (
        "Rain delays harvest in northern provinces",
        "Heavy rain over the weekend delayed the rice "
        "harvest in several northern provinces, farmers and local officials reported on Sunday.",
    ),
    (
        "Central bank keeps interest rate unchanged",
        "The central bank kept its policy rate at 3 per "
        "cent on Thursday, citing stable inflation and steady growth in exports.",
    ),
    (
        "Lawatan kerja ke Sabah",
        "Menteri itu mengadakan lawatan kerja ke Sabah hari ini bagi meninjau "
        "projek jalan raya dan bekalan air luar bandar di kawasan pedalaman.",
    ),
]


def console_config(database_url: str, desk: WebhookReceiver, pager: WebhookReceiver, **web: Any) -> Config:
    """Two watches; the ``desk`` channel's receiver accepts, the ``pager``'s (mode "error") fails."""
    return make_config(
        {
            "storage": {"database_url": database_url},
            "outlets": {"enabled": ["bernama-en", "thesun", "qdnd", "bernama-bm"]},
            "channels": {
                "desk": {"type": "webhook", "url": desk.url, "secret_env": "HOOK_SECRET", "timeout": "2s"},
                "pager": {"type": "webhook", "url": pager.url, "secret_env": "HOOK_SECRET", "timeout": "2s"},
            },
            "watches": {
                "maritime": {"query": 'MMEA OR "fishing boat"', "channels": ["desk", "pager"]},
                "navy-vi": {"query": '"hải quân"', "channels": ["desk"]},
            },
            "alerts": {"timezone": "UTC", "max_article_age": "30d"},
            "web": web,
        },
        env={"HOOK_SECRET": SECRET, **ENV},
    )


def records() -> list[ArticleRecord]:
    def at(hours: float) -> datetime:
        return NOW - timedelta(hours=hours)

    found = [
        ArticleRecord(
            "https://www.bernama.com/en/news.php?id=2001",
            "MMEA detains Vietnamese fishing boat off Terengganu",
            WIRE,
            "bernama-en",
            language="en",
            published_at=at(30),
        ),
        ArticleRecord(
            "https://thesun.my/local-news/mmea-holds-vietnamese-boat",
            "Vietnamese boat held by MMEA",
            WIRE.replace("on Tuesday morning", "on Tuesday") + " -- Bernama",
            "thesun",
            language="en",
            published_at=at(29),
        ),
        ArticleRecord(
            "https://www.qdnd.vn/quoc-phong/hai-quan-malaysia-tham-viet-nam-1",
            "Tư lệnh Hải quân Malaysia thăm Việt Nam",
            NAVY_VI,
            "qdnd",
            language="vi",
            published_at=at(5),
        ),
        ArticleRecord(
            "https://thesun.my/local-news/coast-guard-drill",
            SCRIPT_TITLE,
            "A coast guard drill "
            "with MMEA boats took place near Johor <script>alert(1)</script> on Friday, with 12 "
            "vessels and 300 officers from three agencies taking part.",
            "thesun",
            language="en",
            published_at=at(2),
        ),
    ]
    for i, (title, text) in enumerate(FILLER):
        outlet = "bernama-bm" if title.startswith("Lawatan") else "bernama-en"
        found.append(
            ArticleRecord(
                f"https://www.bernama.com/en/news.php?id={3000 + i}",
                title,
                text,
                outlet,
                language="ms" if outlet == "bernama-bm" else "en",
                published_at=at(40 + i),
            )
        )
    return found


def build(cfg: Config) -> None:
    """Fill the (empty) database of ``cfg``: articles, stories, matches, deliveries, crawls."""
    url = cfg.storage.database_url
    db.upgrade(url)
    engine = db.make_engine(url)
    sessions = db.session_factory(engine)
    ingestor = Ingestor(sessions, StoryIndex(cfg.dedup.window), on_stored=[Outbox.from_config(cfg)])
    for record in records():
        result = ingestor.ingest(record)
        assert result.status == "stored", result
    # The wire's text as it is at another outlet: not stored again, listed as a copy of its story.
    elsewhere = replace(records()[0], url="https://www.vietnamplus.vn/mmea-detains-boat-1", outlet="vietnamplus")
    copy = ingestor.ingest(elsewhere)
    assert copy.reason == "dedup/content", copy
    with sessions.begin() as session:
        for slug, status, hours, failures in (
            ("bernama-en", "ok", 30, []),
            ("bernama-en", "partial", 6, [("https://www.bernama.com/en/news.php?id=404", "http/404")]),
            ("thesun", "failed", 3, [("https://thesun.my/rss", "timeout")]),
            ("qdnd", "ok", 5, []),
        ):
            outlet = repository.get_or_create_outlet(session, slug)
            run = repository.start_crawl_run(session, outlet)
            run.started_at = NOW - timedelta(hours=hours)
            run.finished_at = run.started_at + timedelta(seconds=20)
            run.status, run.discovered, run.fetched, run.stored = CrawlStatus(status), 10, 8, 2
            run.failed = len(failures)
            run.error = "all sources failed" if status == "failed" else None
            for url_, reason in failures:
                session.add(CrawlFailure(run_id=run.id, url=url_, reason=reason, detail=f"{reason} while fetching"))
        assert session.query(CrawlRun).count() == 4
    with httpx.Client() as client:
        dispatcher = Dispatcher(sessions, build_channels(cfg.channels, client), Renderer.from_config(cfg), cfg.alerts)
        dispatcher.dispatch_due()
        dispatcher.close()
    engine.dispose()
