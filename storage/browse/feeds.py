"""Watches and their Atom feeds: the stories that alerted for a watch, one entry per story."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.browse.stories import ArticleLine, MatchLine, StoryLine, match_lines, story_lines
from storage.models import (
    Article,
    Story,
    WatchMatch,
)


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
    matches = {m.id: m for m in match_lines(session, WatchMatch.id.in_(match_ids))}
    stories_by_id = {s.id: s for s in story_lines(session, [m.story_id for m in _ordered(matches, match_ids)])}
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
