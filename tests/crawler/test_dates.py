"""Publication dates from day-first visible stamps, for every preset's markup.

The class of defect: htmldate's extensive search misreads a day-first stamp ("06/12/2026 03:49
AM") when the date is later than the machine's own day (a page in Kuala Lumpur after its
midnight while UTC is still on the day before): it takes "12/2026" and dates the article the 1st
of the month. The stamps below cover days up to 12 and after, AM and PM, noon and midnight, and
"tomorrow" by the machine's calendar, with the machine-readable dates removed from each page so
that the visible stamp is what is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest

from config import OutletConfig
from crawler.extract import extract
from sandbox import render
from sandbox.model import Article
from tests.helpers import make_config

PRESETS = ("qdnd", "qdnd-en", "vietnamnews", "bernama-en", "bernama-bm", "thesun", "vietnamplus")
CFG = make_config({"outlets": {"enabled": list(PRESETS)}})

Renderer = Callable[[Article, str, Sequence[Article]], bytes]
RENDERERS: dict[str, tuple[Renderer, str, str]] = {
    "qdnd": (render.qdnd_article, "/quoc-phong-an-ninh/tin-tuc/hai-quan-tuan-tra-{id}", "vi"),
    "qdnd-en": (render.qdnd_article, "/military/news/navy-patrol-{id}", "en"),
    "vietnamnews": (render.vns_article, "/politics-laws/{id}/navy-patrol.html", "en"),
    "bernama-en": (render.bernama_article, "/en/news.php?id={id}", "en"),
    "bernama-bm": (render.bernama_article, "/bm/news.php?id={id}", "ms"),
    "thesun": (render.thesun_article, "/malaysia-news/navy-patrol-ab{id:08d}", "en"),
    "vietnamplus": (render.vnp_article, "/navy-patrol-post{id}.vnp", "vi"),
}
PARAGRAPHS = (
    "The navies of Vietnam and Malaysia held a joint patrol in the South China Sea this week, "
    "officials said, the first such exercise since the two countries agreed to share information.",
    "Two ships from each navy took part and the exercise ended without incident, according to a "
    "statement released after the patrol returned to port on the last day of the drill.",
)
# Machine-readable dates: removed, so that the page's visible stamp is what remains.
_STRUCTURED = re.compile(
    r'<meta property="article:published_time"[^>]*>|<script type="application/ld\+json">.*?</script>', re.S
)


def local_instants(zone: tzinfo) -> list[datetime]:
    """Local publication times: day <= 12 and > 12, AM and PM, 12:xx noon and midnight, and
    half past midnight on the day after the machine's today (htmldate's trap)."""
    today = date.today()
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # the previous month
    return [
        datetime(today.year, today.month, today.day, 0, 30, tzinfo=zone) + timedelta(days=1),
        datetime(month.year, month.month, 3, 9, 15, tzinfo=zone),
        datetime(month.year, month.month, 11, 21, 40, tzinfo=zone),
        datetime(month.year, month.month, 12, 12, 5, tzinfo=zone),
        datetime(month.year, month.month, 1, 0, 20, tzinfo=zone),
        datetime(month.year, month.month, 25, 15, 49, tzinfo=zone),
    ]


def outlet(slug: str) -> OutletConfig:
    return CFG.outlet(slug)


@pytest.mark.parametrize("slug", PRESETS)
def test_each_preset_is_dated_from_its_visible_day_first_stamp(slug: str) -> None:
    renderer, path, language = RENDERERS[slug]
    zone = render.ZONES.get(slug, render.MY)
    wrong = []
    for i, when in enumerate(local_instants(zone), start=1):
        article = Article(
            outlet=slug,
            id=4000 + i,
            url="",
            path=path.format(id=4000 + i),
            section="quoc-phong-an-ninh/tin-tuc" if slug == "qdnd" else "general",
            title=f"Navies hold joint patrol number {i}",
            lead="The navies of Vietnam and Malaysia held a joint patrol in the South China Sea.",
            paragraphs=PARAGRAPHS,
            published_at=when.astimezone(UTC),
            language=language,
            on_topic=True,
        )
        base = "https://example.test"
        html = _STRUCTURED.sub("", renderer(article, base, []).decode())
        assert "published_time" not in html
        result = extract(html, base + article.path, outlet(slug), now=when + timedelta(hours=1))
        assert result is not None
        if result.published_at != when:
            wrong.append((when.isoformat(), result.published_at and result.published_at.isoformat()))
    assert wrong == []


STAMPS = [
    # (visible text, the time it means: in the outlet's zone unless the stamp names its own)
    ("06/12/2026 03:49 AM", datetime(2026, 12, 6, 3, 49)),
    ("06/12/2026 03:49 PM", datetime(2026, 12, 6, 15, 49)),
    ("13/11/2026 12:10 AM", datetime(2026, 11, 13, 0, 10)),
    ("Thứ Sáu, 06/11/2026 | 10:15", datetime(2026, 11, 6, 10, 15)),
    ("Thứ hai, 05/10/2026 - 14:30 (GMT+7)", datetime(2026, 10, 5, 14, 30, tzinfo=timezone(timedelta(hours=7)))),
    ("Cập nhật: 09:05 SA, 07/11/2026", datetime(2026, 11, 7, 9, 5)),
    ("Khánh Hòa, 08:40 CH 02/11/2026", datetime(2026, 11, 2, 20, 40)),
    ("Jumaat, 6 Mac 2026 10:15 PTG", datetime(2026, 3, 6, 22, 15)),
    ("Sabtu, 7 Dis 2025 9:05 PG", datetime(2025, 12, 7, 9, 5)),
    ("12 Ogos 2026, 11:20", datetime(2026, 8, 12, 11, 20)),
    ("December 6, 2026 10:15 PM", datetime(2026, 12, 6, 22, 15)),
    ("Friday, March 06, 2026 14:30", datetime(2026, 3, 6, 14, 30)),
    ("6 Nov 2026 / 08:05", datetime(2026, 11, 6, 8, 5)),
    ("06.11.2026 22:15", datetime(2026, 11, 6, 22, 15)),
]


@pytest.mark.parametrize(("stamp", "meant"), STAMPS)
def test_day_first_stamps_in_vietnamese_malay_and_english_are_read_with_their_time(stamp: str, meant: datetime) -> None:
    zone = ZoneInfo("Asia/Kuala_Lumpur")
    html = (
        "<html><head><title>Patrol</title></head><body><header><a href='/'>Home</a></header>"
        f"<article><h1>Navies hold joint patrol</h1><div class='meta'><span>{stamp}</span></div>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "</article><footer>&copy; 2026 The Paper</footer></body></html>"
    )
    paper = OutletConfig(
        slug="paper",
        name="The Paper",
        base_url="https://paper.test",
        language="en",
        timezone="Asia/Kuala_Lumpur",
        article_pattern="^/",
        listings=("/",),
    )
    expected = meant if meant.tzinfo else meant.replace(tzinfo=zone)
    result = extract(html, "https://paper.test/news/1", paper, now=expected + timedelta(minutes=30))
    assert result is not None and result.published_at == expected
