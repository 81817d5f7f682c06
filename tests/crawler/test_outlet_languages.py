"""An outlet's languages in a real crawl (Scrapy, HTTP on 127.0.0.1, a real database): a
multilingual outlet by URL path and by detection among its declared languages, and an outlet
without a declared language whose German page is stored as German, not English, and whose
page in a language Newswatch does not read is stored as unknown. Texts are written for the
tests."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app import build_app
from crawler.runner import run_crawl
from storage.models import Article
from tests.crawler.site import Page, Site
from tests.crawler.test_crawl import NOW, RSS, article, rss
from tests.helpers import make_config

EN = [
    "The navy sent two patrol vessels to the northern waters on Tuesday after fishing boats were seen there.",
    "Officials said the ships would stay in the area for a week and report to the coast guard every evening.",
]
EN_2 = [
    "The defence minister opened a new training centre for naval officers at the port city on Monday morning.",
    "About two hundred cadets will study navigation, engineering and maritime law there every year.",
]
MS = [
    "Tentera laut menghantar dua kapal peronda ke perairan utara pada hari Selasa selepas bot nelayan dilihat.",
    "Pegawai berkata kapal itu akan berada di kawasan tersebut selama seminggu dan melapor setiap petang.",
]
MS_2 = [
    "Menteri pertahanan merasmikan pusat latihan baharu untuk pegawai tentera laut di bandar pelabuhan itu.",
    "Kira-kira dua ratus kadet akan belajar pelayaran, kejuruteraan dan undang-undang maritim setiap tahun.",
]
DE = [
    "Die Marine hat am Dienstag zwei Patrouillenboote in die nördlichen Gewässer geschickt, nachdem dort "
    "Fischerboote gesehen worden waren.",
    "Die Schiffe sollen eine Woche lang in dem Gebiet bleiben und jeden Abend der Küstenwache berichten.",
]
PL = [
    "Marynarka wojenna wysłała we wtorek dwa okręty patrolowe na północne wody po tym, jak w pobliżu wysp "
    "zauważono łodzie rybackie.",
    "Urzędnicy powiedzieli, że okręty pozostaną w tym rejonie przez tydzień i będą codziennie składać raporty.",
]


def outlet(site: Site, feed: str, **keys: Any) -> dict[str, Any]:
    return {
        "name": feed.strip("/").title(),
        "base_url": site.url,
        "timezone": "Asia/Kuala_Lumpur",
        "feeds": [feed],
        "article_pattern": r"^/[a-z/]+/[a-z0-9-]+$",
        **keys,
    }


def serve(site: Site, feed: str, pages: dict[str, tuple[str, list[str]]]) -> None:
    site.routes[feed] = Page(rss(site, [(path, title, NOW) for path, (title, _) in pages.items()]), content_type=RSS)
    for seed, (path, (title, paragraphs)) in enumerate(pages.items()):
        site.routes[path] = Page(article(title, seed, paragraphs=paragraphs))


def stored_languages(sqlite_url: str, cfg: Any) -> dict[str, str | None]:
    app = build_app(cfg)
    run_crawl(cfg, cfg.outlets, app.ingestor().ingest, app.sessions, time_limit=60)
    with app.sessions() as session:
        return {a.url.removeprefix(cfg.outlets[0].base_url): a.language for a in session.scalars(select(Article))}


@pytest.mark.slow  # three outlets crawled
def test_a_multilingual_outlet_by_path_and_by_detection_and_an_undeclared_one(sqlite_url: str, site: Site) -> None:
    serve(
        site,
        "/bilingual.xml",
        {
            "/en/news/navy-patrol": ("Navy sends patrol vessels north", EN),
            "/bm/berita/kapal-peronda": ("Tentera laut hantar kapal peronda", MS),
            # The path decides even when the text says otherwise (an English brief in the BM edition).
            "/bm/berita/english-brief": ("Training centre opens", EN_2),
            "/world/pusat-latihan": ("Pusat latihan baharu dibuka", MS_2),  # detected among en, ms
        },
    )
    serve(
        site,
        "/undeclared.xml",
        {
            "/welt/marine": ("Marine schickt Patrouillenboote", DE),
            "/swiat/marynarka": ("Marynarka wysyła okręty patrolowe", PL),
        },
    )
    cfg = make_config(
        {
            "storage": {"database_url": sqlite_url},
            "crawler": {"download_delay": "0s", "retries": 0, "timeout": "5s"},
            "outlets": {
                "enabled": ["bilingual", "undeclared"],
                "bilingual": outlet(
                    site, "/bilingual.xml", languages=["en", "ms"], language_by_path={"/en/": "en", "/bm/": "ms"}
                ),
                "undeclared": outlet(site, "/undeclared.xml"),
            },
        }
    )

    languages = stored_languages(sqlite_url, cfg)

    assert languages == {
        "/en/news/navy-patrol": "en",
        "/bm/berita/kapal-peronda": "ms",
        "/bm/berita/english-brief": "ms",
        "/world/pusat-latihan": "ms",
        "/welt/marine": "de",
        "/swiat/marynarka": None,  # a language Newswatch does not read: unknown, not English
    }
