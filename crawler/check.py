"""``outlets check``: one outlet crawled as a crawl would crawl it, storing nothing.

The same crawl child, spider, politeness, robots.txt and address guards and extraction as
``crawler.runner``; the spider runs in explain mode (``OutletJob.explain``) and says what each
source gave and what became of each link, and fetches only ``fetch`` new articles. Nothing is
written anywhere: no crawl run, no article, no validators, no seen URL. With a database, its
stored and seen URLs are read (``runner.known_urls``) so that known links show as known.

``CheckReport.warnings`` names what would keep a crawl from storing anything, or storing it
right (nothing matched ``article_pattern``, no dates anywhere, a language other than the
declared one, robots.txt forbidding, empty extractions); ``stores_nothing`` says whether a
crawl would store nothing.

Reads ``[crawler]``, ``[schedule] crawl_time_limit`` and the outlet's declaration.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, assert_never

from config import Config, OutletConfig, format_duration
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
from crawler.runner import known_urls, run_child, unmatched_links
from storage.models import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

ARTICLE_DECISIONS = ("new", "known", "old", "again", "held", "retry")  # links that are articles of the outlet
FIRST_LINES = 3


@dataclass(frozen=True)
class CheckedArticle:
    """A fetched page: the article extracted from it, or why there is none (``error``)."""

    url: str
    title: str = ""
    text: str = ""
    published_at: datetime | None = None
    date_source: str | None = None
    language: str | None = None  # as a crawl would store it
    read_as: str | None = None  # the language the text reads as, whatever the declaration says
    author: str | None = None
    error: str | None = None

    @property
    def first_lines(self) -> list[str]:
        return [line for line in self.text.splitlines() if line.strip()][:FIRST_LINES]


@dataclass
class CheckReport:
    outlet: OutletConfig
    enabled: bool
    max_age: float
    fetch: int
    database: str  # what was read to tell known URLs from new ones
    robots: list[RobotsRead] = field(default_factory=list)
    robots_consulted: bool = True
    sources: list[SourceRead] = field(default_factory=list)
    links: list[LinkSeen] = field(default_factory=list)
    articles: list[CheckedArticle] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    closed: str | None = None  # Scrapy's close reason; None: the crawl child died
    mismatches: tuple[str, ...] = ()

    # ------------------------------------------------------------------ what it found

    def decided(self, *decisions: str) -> list[LinkSeen]:
        return [link for link in self.links if link.decision in decisions]

    @property
    def sources_read(self) -> list[SourceRead]:
        return [s for s in self.sources if s.status is not None and s.status < 400 and (not s.error or s.items)]

    @property
    def robots_forbidden(self) -> list[str]:
        """Our own addresses robots.txt forbids: declared sources, the base URL, articles refused."""
        urls = [url for robots in self.robots for url in robots.forbidden]
        urls += [a.url for a in self.articles if a.error and a.error.startswith("robots")]
        urls += [s.url for s in self.sources if s.error and s.error.startswith("robots")]
        return list(dict.fromkeys(urls))

    def stores_nothing(self) -> bool:
        """Whether a crawl now would store nothing although nothing is stored from these links yet:
        no source readable, no article link at all, every one too old, or every fetched page
        without an article. (Every article link already known is no problem: it was stored.)"""
        if self.closed is None or not self.sources_read:
            return True
        if self.decided("known"):
            return False
        if not self.decided("new"):
            return True
        fetched = self.articles
        return bool(fetched) and all(a.error for a in fetched)

    def warnings(self) -> list[str]:
        """Plain sentences, most serious first, each saying what to look at."""
        out: list[str] = []
        outlet = self.outlet
        if self.closed is None:
            out.append("the crawl process ended unexpectedly: run with -v to see why")
        elif self.closed != "finished":
            out.append(f"the crawl stopped early ({self.closed})")
        if self.sources and not self.sources_read:
            out.append("no feed, sitemap or listing page could be read (see the sources above)")
        forbidden = self.robots_forbidden
        if forbidden:
            shown = ", ".join(forbidden[:3]) + (f" and {len(forbidden) - 3} more" if len(forbidden) > 3 else "")
            out.append(f"robots.txt forbids {shown}: Newswatch obeys it (crawler.obey_robots), so these are never read")
        articles = self.decided(*ARTICLE_DECISIONS)
        pattern = self.counts.get("skipped_pattern", 0)
        if self.sources_read and not articles:
            if pattern:
                examples = ", ".join(self.mismatches)
                out.append(
                    f"nothing matched article_pattern '{outlet.article_pattern}': {pattern} links did not, "
                    f"e.g. {examples}"
                )
            elif self.counts.get("skipped_offsite"):
                out.append(
                    f"every link leads to another site than {outlet.base_url}"
                    + (f" or {', '.join(outlet.domains)}" if outlet.domains else "")
                    + " (add its host to domains if it is the outlet's)"
                )
            elif not unmatched_links(self.counts):
                out.append("the sources list no links at all")
        else:
            for source in self.sources_read:
                mine = [link for link in self.links if link.source == source.url]
                if mine and not [link for link in mine if link.decision in ARTICLE_DECISIONS]:
                    out.append(f"{source.kind} {source.url}: none of its {len(mine)} links matched article_pattern")
        if articles and len(self.decided("old")) == len(articles):
            out.append(
                f"every article listed is older than crawler.max_age ({format_duration(self.max_age)}): "
                "a crawl would fetch none"
            )
        dated_links = [link for link in articles if link.published_at is not None]
        dated_pages = [a for a in self.articles if a.published_at is not None]
        extracted = [a for a in self.articles if not a.error]
        if articles and not dated_links and extracted and not dated_pages:
            out.append(
                "no dates anywhere: neither the sources nor the pages give one, so nothing is skipped "
                "as too old and alerts cannot tell old news from new (try selectors.date)"
            )
        elif extracted and len(dated_pages) < len(extracted):
            out.append(f"{len(extracted) - len(dated_pages)} of {len(extracted)} fetched articles have no date")
        declared = outlet.declared_languages
        strays = [a for a in extracted if a.read_as and declared and a.read_as not in outlet.languages_at(a.url)]
        if strays:
            seen = Counter(a.read_as for a in strays).most_common()
            read = ", ".join(f"{code} ({n})" for code, n in seen)
            out.append(
                f"language: {len(strays)} of {len(extracted)} fetched articles read as {read}, "
                f"not as declared ({', '.join(declared)}); e.g. {strays[0].url}"
            )
        empty = [a for a in self.articles if a.error and a.error.startswith("extract/")]
        if empty:
            out.append(
                f"extraction found no article text on {len(empty)} of {len(self.articles)} fetched pages "
                f"(e.g. {empty[0].url}): look at the page with run.py extract URL --outlet {outlet.slug}, "
                "and try selectors.body"
            )
        failed = [a for a in self.articles if a.error and not a.error.startswith(("extract/", "robots"))]
        if failed:
            reasons = Counter(a.error.split(":", 1)[0] for a in failed if a.error).most_common()
            out.append(
                f"{len(failed)} of {len(self.articles)} fetched pages failed: "
                + ", ".join(f"{reason} x{n}" for reason, n in reasons)
            )
        return out


def check_outlet(
    cfg: Config,
    outlet: OutletConfig,
    sessions: sessionmaker[Session] | None,
    fetch: int,
    database: str,
) -> CheckReport:
    """Crawl ``outlet`` in explain mode, fetching at most ``fetch`` new articles, storing nothing."""
    known: frozenset[str] = frozenset()
    if sessions is not None:
        from sqlalchemy import select

        from storage.models import Outlet

        with sessions() as session:
            outlet_id = session.scalar(select(Outlet.id).where(Outlet.slug == outlet.slug))
            known = known_urls(session, outlet, outlet_id)
    report = CheckReport(
        outlet,
        enabled=cfg.is_enabled(outlet.slug),
        max_age=float(cfg.crawler.max_age),
        fetch=fetch,
        database=database,
        robots_consulted=cfg.crawler.obey_robots,
    )
    time_limit = float(cfg.schedule.crawl_time_limit)
    job = CrawlJob(
        cfg.crawler,
        (OutletJob(outlet, known, {}, explain=True, fetch_limit=fetch),),
        utcnow(),
        time_limit,
    )
    run_child(job, lambda message: _collect(report, message), time_limit)
    return report


def _collect(report: CheckReport, message: ChildMessage) -> None:
    match message:
        case SourceRead():
            report.sources.append(message)
        case LinkSeen():
            report.links.append(message)
        case RobotsRead():
            report.robots.append(message)
        case ArticleFound(record=record, date_source=date_source):
            report.articles.append(
                CheckedArticle(
                    url=record.url,
                    title=record.title,
                    text=record.text,
                    published_at=record.published_at,
                    date_source=date_source,
                    language=record.language,
                    read_as=_reads_as(record.text),
                    author=record.author,
                )
            )
        case PageFailed(url=url, reason=reason, detail=detail):
            if any(url == source.url for source in report.sources) or reason == "bad-url":
                return  # a source's own problem, shown with the source; a malformed link, with the links
            report.articles.append(CheckedArticle(url=url, error=f"{reason}: {detail}"))
        case SpiderClosed(counts=counts, reason=reason, mismatches=mismatches):
            report.counts.update(counts)
            report.closed = reason
            report.mismatches = mismatches
        case TooOld() | Validators():
            pass  # remembered by a crawl; a check remembers nothing
        case _:
            assert_never(message)


def _reads_as(text: str) -> str | None:
    """The language the text reads as among every language Newswatch reads (None: unknown)."""
    from language import detect_language

    return detect_language(text)
