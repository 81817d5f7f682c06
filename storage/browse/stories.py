"""The stories page, one story (with why its articles joined and the watches it matched) and one article."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.orm import Session

from storage.models import (
    Article,
    Outlet,
    Story,
    WatchMatch,
)
from storage.search import SearchQuery, matching_article_ids
from storage.stories import StoryCopyView, copies_of, explain


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
    return story_lines(session, ids)


def story_lines(session: Session, ids: Sequence[int]) -> list[StoryLine]:
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
    first_article_id: int | None
    why: dict[int, str]  # article id -> why it is in the story, as ingest recorded it (joined_by)
    copies: tuple[StoryCopyView, ...]
    matches: tuple[MatchLine, ...]

    @property
    def outlets(self) -> list[str]:
        """Every outlet that ran the story, copies included."""
        return list(dict.fromkeys([*self.line.outlets, *(c.outlet for c in self.copies)]))


def story(session: Session, story_id: int) -> StoryDetail | None:
    """One story with why each article joined it: what ingest decided and stored
    (``articles.joined_by``), never recomputed; then the copies of its text other outlets ran."""
    found = story_lines(session, [story_id])
    if not found:
        return None
    line = found[0]
    rows = session.execute(select(Article.id, Article.joined_by).where(Article.story_id == story_id))
    why = {article_id: explain(joined_by) for article_id, joined_by in rows}
    first = session.scalar(select(Story.first_article_id).where(Story.id == story_id))
    copies = tuple(copies_of(session, [story_id]).get(story_id, []))
    return StoryDetail(line, first, why, copies, tuple(match_lines(session, WatchMatch.story_id == story_id)))


def match_lines(session: Session, where: ColumnElement[bool], limit: int | None = None) -> list[MatchLine]:
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
    date_source: str | None = None  # where published_at came from (``Article.date_source``)
    joined_by: dict[str, Any] | None = None  # why it joined its story (None: its first report)

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
        tuple(match_lines(session, WatchMatch.article_id == article_id)),
        row.date_source,
        dict(row.joined_by) if row.joined_by else None,
    )
