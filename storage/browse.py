"""Read-only queries for browsing the database (the web console, its feeds and its metrics).

Each function takes the session first, only reads, and returns frozen dataclasses, so a page
never touches a lazy relationship after its session closed. Lists are built in a few queries
whatever their length (the stories page: one for the page of stories, one for their
articles, one for their watches). Reads no configuration.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session

from storage import health
from storage.dedup.evidence import Signals
from storage.dedup.shingles import shingle_set
from storage.models import (
    AlertDelivery,
    Article,
    CrawlFailure,
    CrawlRun,
    DeliveryAttempt,
    Outlet,
    Story,
    WatchMatch,
)
from storage.search import SearchQuery, matching_article_ids
from storage.status import CrawlStatus, DeliveryStatus

# --------------------------------------------------------------------------- stories


@dataclass(frozen=True)
class StoryFilter:
    """What the stories page asks for; every field is optional."""

    search: SearchQuery | None = None
    watch: str | None = None
    outlet: str | None = None
    language: str | None = None
    since: datetime | None = None
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class ArticleLine:
    """An article as a line of a story: no text."""

    id: int
    story_id: int
    outlet: str
    language: str | None
    title: str
    url: str
    published_at: datetime | None
    created_at: datetime

    @property
    def when(self) -> datetime:
        return self.published_at or self.created_at


@dataclass(frozen=True)
class StoryLine:
    id: int
    title: str
    updated_at: datetime
    article_count: int
    articles: tuple[ArticleLine, ...]
    watches: tuple[str, ...]

    @property
    def outlets(self) -> list[str]:
        return list(dict.fromkeys(a.outlet for a in self.articles))

    @property
    def languages(self) -> list[str]:
        return list(dict.fromkeys(a.language for a in self.articles if a.language))


def stories(session: Session, wanted: StoryFilter) -> list[StoryLine]:
    """A page of stories, newest first (by their latest article), with their articles."""
    query: Select[Any] = select(Story.id)
    if wanted.since is not None:
        query = query.where(Story.updated_at >= wanted.since)
    if wanted.watch:
        query = query.where(exists().where(WatchMatch.story_id == Story.id, WatchMatch.watch == wanted.watch))
    conditions: list[ColumnElement[bool]] = []
    if wanted.outlet:
        outlet_id = session.scalar(select(Outlet.id).where(Outlet.slug == wanted.outlet))
        conditions.append(Article.outlet_id == (outlet_id if outlet_id is not None else -1))
    if wanted.language:
        conditions.append(Article.language == wanted.language)
    if wanted.search:
        # From the (at most MATCH_LIMIT) matching articles to their stories, fetched first: a rare
        # word must not make the query walk every story in time order probing each one.
        matching = Article.id.in_(matching_article_ids(session, wanted.search))
        story_ids = set(session.scalars(select(Article.story_id).where(matching, *conditions)))
        if not story_ids:
            return []
        query = query.where(Story.id.in_(story_ids))
    elif conditions:
        query = query.where(exists().where(Article.story_id == Story.id, *conditions))
    query = query.order_by(Story.updated_at.desc(), Story.id.desc()).offset(wanted.offset).limit(wanted.limit)
    ids = list(session.scalars(query))
    return _story_lines(session, ids)


def _story_lines(session: Session, ids: Sequence[int]) -> list[StoryLine]:
    if not ids:
        return []
    heads = {
        s.id: s
        for s in session.execute(
            select(Story.id, Story.title, Story.updated_at, Story.article_count).where(Story.id.in_(ids))
        )
    }
    articles: dict[int, list[ArticleLine]] = defaultdict(list)
    for line in _article_lines(session, Article.story_id.in_(ids)):
        articles[line.story_id].append(line)
    watches: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(select(WatchMatch.story_id, WatchMatch.watch).where(WatchMatch.story_id.in_(ids)).distinct())
    for story_id, watch in rows:
        watches[story_id].append(watch)
    return [
        StoryLine(
            i,
            heads[i].title,
            heads[i].updated_at,
            heads[i].article_count,
            tuple(articles[i]),
            tuple(sorted(watches[i])),
        )
        for i in ids
        if i in heads
    ]


def _article_lines(session: Session, where: ColumnElement[bool]) -> list[ArticleLine]:
    query = (
        select(
            Article.id,
            Article.story_id,
            Outlet.slug,
            Article.language,
            Article.title,
            Article.url,
            Article.published_at,
            Article.created_at,
        )
        .join(Outlet, Outlet.id == Article.outlet_id)
        .where(where)
        .order_by(Article.id)
    )
    return [ArticleLine(*row) for row in session.execute(query)]


def languages(session: Session) -> list[str]:
    """The outlets' languages (reading every article's would cost a scan of them all)."""
    return sorted(x for x in session.scalars(select(Outlet.language).distinct()) if x)


def outlet_slugs(session: Session) -> list[str]:
    return list(session.scalars(select(Outlet.slug).order_by(Outlet.slug)))


# --------------------------------------------------------------------------- one story


@dataclass(frozen=True)
class Evidence:
    """Why an article is in its story, recomputed from the stored texts and signals: the
    earlier article of the story it has most in common with, and what they share."""

    article_id: int
    wording: float  # share of the shorter text's word shingles found in the other (0 to 1)
    same_language: bool
    names: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchLine:
    id: int
    article_id: int
    story_id: int
    watch: str
    score: float
    terms: tuple[str, ...]
    snippets: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]
    alerted: bool
    created_at: datetime


@dataclass(frozen=True)
class StoryDetail:
    line: StoryLine
    evidence: dict[int, Evidence]
    matches: tuple[MatchLine, ...]


MAX_EVIDENCE = 30  # articles of one story compared pairwise for the "why joined" column


def story(session: Session, story_id: int) -> StoryDetail | None:
    found = _story_lines(session, [story_id])
    if not found:
        return None
    line = found[0]
    return StoryDetail(line, _evidence(session, line), tuple(_matches(session, WatchMatch.story_id == story_id)))


def _evidence(session: Session, line: StoryLine) -> dict[int, Evidence]:
    ids = [a.id for a in line.articles[:MAX_EVIDENCE]]
    rows = session.execute(
        select(Article.id, Article.text, Article.language, Article.signals).where(Article.id.in_(ids))
    )
    stored = {row.id: row for row in rows}
    shingles = {i: shingle_set(stored[i].text) for i in ids if i in stored}
    signals = {i: Signals.from_json(stored[i].signals) for i in ids if i in stored}
    result: dict[int, Evidence] = {}
    for n, later in enumerate(ids):
        best: tuple[tuple[float, int], Evidence] | None = None
        for earlier in ids[:n]:
            if later not in stored or earlier not in stored:
                continue
            a, b = shingles[later], shingles[earlier]
            wording = len(a & b) / min(len(a), len(b)) if a and b else 0.0
            mine, theirs = signals[later], signals[earlier]
            shared = Evidence(
                earlier,
                round(wording, 2),
                stored[later].language == stored[earlier].language,
                tuple(sorted(mine.names & theirs.names)),
                tuple(sorted(mine.numbers & theirs.numbers)),
                tuple(sorted(f"{d}/{m}" for d, m in mine.dates & theirs.dates)),
                tuple(sorted(mine.concepts & theirs.concepts)),
            )
            strength = (wording, len(shared.names) + len(shared.numbers) + len(shared.dates) + len(shared.terms))
            if best is None or strength > best[0]:
                best = (strength, shared)
        if best is not None:
            result[later] = best[1]
    return result


def _matches(session: Session, where: ColumnElement[bool], limit: int | None = None) -> list[MatchLine]:
    query = select(WatchMatch).where(where).order_by(WatchMatch.created_at.desc(), WatchMatch.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [_match_line(m) for m in session.scalars(query)]


def _match_line(m: WatchMatch) -> MatchLine:
    snippets = []
    for item in m.snippets or []:
        text = str(item.get("text", ""))
        spans = tuple((int(s), int(e)) for s, e in item.get("spans", []) if 0 <= int(s) <= int(e) <= len(text))
        snippets.append((text, spans))
    return MatchLine(
        m.id, m.article_id, m.story_id, m.watch, m.score, tuple(m.terms or ()), tuple(snippets), m.alerted, m.created_at
    )


# --------------------------------------------------------------------------- one article


@dataclass(frozen=True)
class ArticleDetail:
    line: ArticleLine
    outlet_name: str
    canonical_url: str
    text: str
    author: str | None
    fetched_at: datetime
    content_hash: str
    alertable: bool
    signals: dict[str, Any]
    fingerprint_bytes: int
    story_title: str
    story_articles: int
    matches: tuple[MatchLine, ...]

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n") if p.strip()]


def article(session: Session, article_id: int) -> ArticleDetail | None:
    row = session.get(Article, article_id)
    if row is None:
        return None
    line = ArticleLine(
        row.id, row.story_id, row.outlet.slug, row.language, row.title, row.url, row.published_at, row.created_at
    )
    return ArticleDetail(
        line,
        row.outlet.name,
        row.canonical_url,
        row.text,
        row.author,
        row.fetched_at,
        row.content_hash,
        row.alertable,
        dict(row.signals or {}),
        len(row.fingerprint or b""),
        row.story.title,
        row.story.article_count,
        tuple(_matches(session, WatchMatch.article_id == article_id)),
    )


# --------------------------------------------------------------------------- alerts


@dataclass(frozen=True)
class AttemptLine:
    at: datetime
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: int | None


@dataclass(frozen=True)
class DeliveryLine:
    id: str
    kind: str
    channel: str
    status: str
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str | None
    watch: str | None
    story_id: int | None
    article_id: int | None
    title: str  # the article's title, the digest's period, the system alert's subject
    attempt_log: tuple[AttemptLine, ...] = ()


def deliveries(
    session: Session,
    channel: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 100,
) -> list[DeliveryLine]:
    query = (
        select(AlertDelivery, WatchMatch.watch, WatchMatch.story_id, Article.id, Article.title)
        .outerjoin(WatchMatch, WatchMatch.id == AlertDelivery.match_id)
        .outerjoin(Article, Article.id == WatchMatch.article_id)
        .order_by(AlertDelivery.created_at.desc(), AlertDelivery.id)
        .limit(limit)
    )
    if channel:
        query = query.where(AlertDelivery.channel == channel)
    if status:
        query = query.where(AlertDelivery.status == status)
    if kind:
        query = query.where(AlertDelivery.kind == kind)
    return [
        _delivery_line(d, watch, story_id, article_id, title)
        for d, watch, story_id, article_id, title in session.execute(query)
    ]


def delivery(session: Session, delivery_id: str) -> DeliveryLine | None:
    found = session.get(AlertDelivery, delivery_id)
    if found is None:
        return None
    match = found.match
    attempts = session.scalars(
        select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery_id).order_by(DeliveryAttempt.id)
    )
    log = tuple(AttemptLine(a.at, a.ok, a.status_code, a.error, a.duration_ms) for a in attempts)
    return _delivery_line(
        found,
        match.watch if match else None,
        match.story_id if match else None,
        match.article_id if match else None,
        match.article.title if match else None,
        log,
    )


def _delivery_line(
    d: AlertDelivery,
    watch: str | None,
    story_id: int | None,
    article_id: int | None,
    title: str | None,
    log: tuple[AttemptLine, ...] = (),
) -> DeliveryLine:
    payload = d.payload or {}
    if title is None:
        if d.kind == "digest":
            title = f"{payload.get('period', '')} digest: {len(payload.get('match_ids', []))} stories"
        elif d.kind == "system":
            title = str(payload.get("subject", ""))
        else:
            title = "test message"
    return DeliveryLine(
        d.id,
        d.kind,
        d.channel,
        d.status,
        d.attempts,
        d.created_at,
        d.next_attempt_at if d.status == DeliveryStatus.PENDING else None,
        d.delivered_at,
        d.last_error,
        watch,
        story_id,
        article_id,
        title,
        log,
    )


def delivery_counts(session: Session) -> dict[str, Counter[str]]:
    """Per channel: deliveries by status."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    query = select(AlertDelivery.channel, AlertDelivery.status, func.count()).group_by(
        AlertDelivery.channel, AlertDelivery.status
    )
    for channel, status, n in session.execute(query):
        counts[channel][status] = n
    return dict(sorted(counts.items()))


def pending_queue(session: Session) -> tuple[int, datetime | None]:
    """How many deliveries wait to be sent, and since when the oldest waits."""
    depth, oldest = session.execute(
        select(func.count(), func.min(AlertDelivery.created_at)).where(AlertDelivery.status == DeliveryStatus.PENDING)
    ).one()
    return int(depth), _aware(oldest) if oldest is not None else None


# --------------------------------------------------------------------------- outlets


@dataclass(frozen=True)
class OutletLine:
    slug: str
    name: str
    health: health.OutletHealth
    articles: int
    articles_24h: int
    next_crawl_at: datetime | None = None  # while a daemon schedules it


@dataclass(frozen=True)
class CrawlLine:
    id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    discovered: int
    fetched: int
    stored: int
    duplicates: int
    extract_empty: int
    failed: int
    error: str | None


@dataclass(frozen=True)
class FailureLine:
    run_id: int
    at: datetime
    url: str
    reason: str
    detail: str | None


@dataclass(frozen=True)
class Activity:
    """Per day (UTC): articles stored and crawls by outcome, for one outlet's chart."""

    days: tuple[date, ...]
    articles: dict[date, int] = field(default_factory=dict)
    crawls: dict[date, Counter[str]] = field(default_factory=dict)


def outlets(session: Session, since_24h: datetime) -> list[OutletLine]:
    rows = session.scalars(select(Outlet).order_by(Outlet.slug)).all()
    totals = dict(session.execute(select(Article.outlet_id, func.count()).group_by(Article.outlet_id)).all())
    recent = dict(
        session.execute(
            select(Article.outlet_id, func.count()).where(Article.created_at >= since_24h).group_by(Article.outlet_id)
        ).all()
    )
    return [
        OutletLine(
            o.slug, o.name, health.outlet_health(session, o), totals.get(o.id, 0), recent.get(o.id, 0), o.next_crawl_at
        )
        for o in rows
    ]


def outlet_by_slug(session: Session, slug: str) -> OutletLine | None:
    row = session.scalar(select(Outlet).where(Outlet.slug == slug))
    if row is None:
        return None
    total = session.scalar(select(func.count()).where(Article.outlet_id == row.id)) or 0
    return OutletLine(row.slug, row.name, health.outlet_health(session, row), total, 0, row.next_crawl_at)


def crawl_runs(session: Session, slug: str, limit: int = 20) -> list[CrawlLine]:
    query = (
        select(CrawlRun)
        .join(Outlet, Outlet.id == CrawlRun.outlet_id)
        .where(Outlet.slug == slug)
        .order_by(CrawlRun.id.desc())
        .limit(limit)
    )
    return [
        CrawlLine(
            r.id,
            r.started_at,
            r.finished_at,
            r.status,
            r.discovered,
            r.fetched,
            r.stored,
            r.duplicates,
            r.extract_empty,
            r.failed,
            r.error,
        )
        for r in session.scalars(query)
    ]


def crawl_failures(session: Session, slug: str, limit: int = 50) -> list[FailureLine]:
    """The outlet's most recent failed pages, with their URLs and reasons."""
    query = (
        select(CrawlFailure)
        .join(CrawlRun, CrawlRun.id == CrawlFailure.run_id)
        .join(Outlet, Outlet.id == CrawlRun.outlet_id)
        .where(Outlet.slug == slug)
        .order_by(CrawlFailure.id.desc())
        .limit(limit)
    )
    return [FailureLine(e.run_id, e.at, e.url, e.reason, e.detail) for e in session.scalars(query)]


def activity(session: Session, days: Sequence[date]) -> dict[str, Activity]:
    """Per outlet slug: articles stored per day and crawls per day by status, over ``days``."""
    if not days:
        return {}
    start = datetime(days[0].year, days[0].month, days[0].day, tzinfo=UTC)
    dialect = session.get_bind().dialect.name
    result: dict[str, Activity] = {}

    def of(slug: str) -> Activity:
        return result.setdefault(slug, Activity(tuple(days)))

    article_day = _day(Article.created_at, dialect)
    query = (
        select(Outlet.slug, article_day, func.count())
        .join(Article, Article.outlet_id == Outlet.id)
        .where(Article.created_at >= start)
        .group_by(Outlet.slug, article_day)
    )
    for slug, day, n in session.execute(query):
        of(slug).articles[date.fromisoformat(str(day))] = n
    crawl_day = _day(CrawlRun.started_at, dialect)
    query2 = (
        select(Outlet.slug, crawl_day, CrawlRun.status, func.count())
        .join(CrawlRun, CrawlRun.outlet_id == Outlet.id)
        .where(CrawlRun.started_at >= start)
        .group_by(Outlet.slug, crawl_day, CrawlRun.status)
    )
    for slug, day, status, n in session.execute(query2):
        of(slug).crawls.setdefault(date.fromisoformat(str(day)), Counter())[status] = n
    return result


def _day(column: Any, dialect: str) -> ColumnElement[str]:
    """The UTC day of a stored timestamp as YYYY-MM-DD, in SQL."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.substr(column, 1, 10)  # SQLite keeps UTC timestamps as ISO text


# --------------------------------------------------------------------------- watches and feeds


@dataclass(frozen=True)
class FeedEntry:
    """A story as a feed entry: the match that alerted for it (one per story and watch), the
    story's first article and the others ("also reported by")."""

    match: MatchLine
    story: StoryLine
    first: ArticleLine
    canonical_url: str
    watches: tuple[str, ...]


def watch_match_counts(session: Session, since: datetime) -> dict[str, tuple[int, int]]:
    """Per watch: (stories alerted since ``since``, stories alerted in all)."""
    alerted = WatchMatch.alert_key.is_not(None)
    total = dict(
        session.execute(select(WatchMatch.watch, func.count()).where(alerted).group_by(WatchMatch.watch)).all()
    )
    recent = dict(
        session.execute(
            select(WatchMatch.watch, func.count())
            .where(alerted, WatchMatch.created_at >= since)
            .group_by(WatchMatch.watch)
        ).all()
    )
    return {w: (recent.get(w, 0), n) for w, n in total.items()}


def feed_entries(session: Session, watches: Sequence[str], limit: int = 50) -> list[FeedEntry]:
    """The stories that alerted for any of ``watches``, newest alert first: one entry per
    story, for the first match that alerted for it (so an entry keeps its match, and its id,
    when another watch alerts for the same story later)."""
    if not watches:
        return []
    first_alert = func.min(WatchMatch.id).label("first_alert")
    chosen = (
        select(WatchMatch.story_id, first_alert)
        .where(WatchMatch.watch.in_(list(watches)), WatchMatch.alert_key.is_not(None))
        .group_by(WatchMatch.story_id)
        .order_by(first_alert.desc())
        .limit(limit)
        .subquery()
    )
    match_ids = list(session.scalars(select(chosen.c.first_alert).order_by(chosen.c.first_alert.desc())))
    matches = {m.id: m for m in _matches(session, WatchMatch.id.in_(match_ids))}
    stories_by_id = {s.id: s for s in _story_lines(session, [m.story_id for m in _ordered(matches, match_ids)])}
    first_ids = {
        sid: fid
        for sid, fid in session.execute(
            select(Story.id, Story.first_article_id).where(Story.id.in_(list(stories_by_id)))
        )
    }
    story_watches: dict[int, set[str]] = defaultdict(set)
    rows = session.execute(
        select(WatchMatch.story_id, WatchMatch.watch).where(
            WatchMatch.story_id.in_(list(stories_by_id)),
            WatchMatch.watch.in_(list(watches)),
            WatchMatch.alert_key.is_not(None),
        )
    )
    for sid, watch in rows:
        story_watches[sid].add(watch)
    alerted_articles = [m.article_id for m in matches.values()]
    urls = dict(
        session.execute(select(Article.id, Article.canonical_url).where(Article.id.in_(alerted_articles))).all()
    )
    entries = []
    for m in _ordered(matches, match_ids):
        line = stories_by_id.get(m.story_id)
        if line is None or not line.articles:
            continue
        first = next((a for a in line.articles if a.id == first_ids.get(line.id)), line.articles[0])
        entries.append(FeedEntry(m, line, first, urls.get(m.article_id, ""), tuple(sorted(story_watches[line.id]))))
    return entries


def _ordered(matches: dict[int, MatchLine], ids: Sequence[int]) -> list[MatchLine]:
    return [matches[i] for i in ids if i in matches]


def recent_matches(session: Session, watch: str, limit: int = 20) -> list[FeedEntry]:
    return feed_entries(session, [watch], limit)


# --------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class Totals:
    """Everything /metrics reports, read in a handful of grouped queries."""

    crawls: dict[tuple[str, str], int]  # (outlet, status) -> runs
    articles: dict[str, int]  # outlet -> stored articles
    duplicates: dict[str, int]  # outlet -> duplicates seen by its crawls
    stories: int
    deliveries: dict[tuple[str, str], int]  # (channel, status) -> deliveries
    pending: int
    oldest_pending: datetime | None
    last_success: dict[str, datetime]  # outlet -> end of its last crawl that did not fail


def totals(session: Session) -> Totals:
    crawls = {
        (slug, str(status)): n
        for slug, status, n in session.execute(
            select(Outlet.slug, CrawlRun.status, func.count())
            .join(CrawlRun, CrawlRun.outlet_id == Outlet.id)
            .group_by(Outlet.slug, CrawlRun.status)
        )
    }
    articles = dict(
        session.execute(
            select(Outlet.slug, func.count()).join(Article, Article.outlet_id == Outlet.id).group_by(Outlet.slug)
        ).all()
    )
    duplicates = dict(
        session.execute(
            select(Outlet.slug, func.coalesce(func.sum(CrawlRun.duplicates), 0))
            .join(CrawlRun, CrawlRun.outlet_id == Outlet.id)
            .group_by(Outlet.slug)
        ).all()
    )
    succeeded = CrawlRun.status.in_((CrawlStatus.OK, CrawlStatus.PARTIAL))
    last = {
        slug: at
        for slug, at in session.execute(
            select(Outlet.slug, func.max(CrawlRun.finished_at))
            .join(CrawlRun, CrawlRun.outlet_id == Outlet.id)
            .where(succeeded)
            .group_by(Outlet.slug)
        )
        if at is not None
    }
    deliveries = {
        (channel, str(status)): n
        for channel, status, n in session.execute(
            select(AlertDelivery.channel, AlertDelivery.status, func.count()).group_by(
                AlertDelivery.channel, AlertDelivery.status
            )
        )
    }
    pending, oldest = pending_queue(session)
    return Totals(
        crawls,
        articles,
        {k: int(v) for k, v in duplicates.items()},
        session.scalar(select(func.count()).select_from(Story)) or 0,
        deliveries,
        pending,
        oldest,
        {k: _aware(v) for k, v in last.items()},
    )


def _aware(value: Any) -> datetime:
    """An aggregate over a timestamp column, as an aware UTC datetime (SQLite gives text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    aware: datetime = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware
