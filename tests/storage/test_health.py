"""Source health: a failing, silent or unextractable outlet opens one incident, and a
recovery closes it, so the operator hears once about each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from storage import db, health, repository
from storage.models import Article, CrawlRun, Outlet, Story
from tests.helpers import make_config

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
CFG = make_config().health


@pytest.fixture
def sessions(database_url: str) -> sessionmaker[Session]:
    db.upgrade(database_url)
    return db.session_factory(db.make_engine(database_url))


def add_run(
    s: Session, outlet: Outlet, status: str, fetched: int = 5, empty: int = 0, error: str | None = None
) -> None:
    s.add(
        CrawlRun(
            outlet_id=outlet.id,
            status=status,
            fetched=fetched,
            extract_empty=empty,
            error=error,
            started_at=NOW,
            finished_at=NOW,
        )
    )
    s.flush()


def add_article(s: Session, outlet: Outlet, n: int, at: datetime) -> None:
    story = Story(title="t")
    s.add(story)
    s.flush()
    s.add(
        Article(
            outlet_id=outlet.id,
            story_id=story.id,
            url=f"https://x.org/{n}",
            canonical_url=f"https://x.org/{n}",
            text=f"text {n}",
            content_hash=f"{n:064d}",
            created_at=at,
        )
    )
    s.flush()


def test_failing_outlet_opens_once_and_recovers_once(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        outlet = repository.get_or_create_outlet(s, "qdnd")
        for _ in range(CFG.failures_before_alert):
            add_run(s, outlet, "failed", error="http/503 on feed")
        changes = health.evaluate(s, outlet, CFG, NOW)
        assert [(c.kind, c.opened) for c in changes] == [("failing", True)]
        assert "http/503" in changes[0].detail
        add_run(s, outlet, "failed")
        assert health.evaluate(s, outlet, CFG, NOW) == []  # still failing: no second alert
        add_run(s, outlet, "ok")
        assert [(c.kind, c.opened) for c in health.evaluate(s, outlet, CFG, NOW)] == [("failing", False)]
        assert health.outlet_health(s, outlet).state == "ok"


def test_layout_change_is_an_extraction_incident(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        outlet = repository.get_or_create_outlet(s, "bernama-en")
        for _ in range(3):
            add_run(s, outlet, "partial", fetched=10, empty=9)
        assert [c.kind for c in health.evaluate(s, outlet, CFG, NOW)] == ["extraction"]


def test_silence_is_judged_against_the_outlets_usual_rhythm(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        outlet = repository.get_or_create_outlet(s, "vietnamnews")
        last = NOW - timedelta(hours=30)
        for n in range(10):  # one article an hour, then nothing for 30 hours
            add_article(s, outlet, n, last - timedelta(hours=n))
        changes = health.evaluate(s, outlet, CFG, NOW)
        assert [c.kind for c in changes] == ["silent"]
        assert "30 hours" in changes[0].detail
        add_article(s, outlet, 99, NOW)
        assert [(c.kind, c.opened) for c in health.evaluate(s, outlet, CFG, NOW)] == [("silent", False)]


def test_new_outlet_is_not_silent(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        outlet = repository.get_or_create_outlet(s, "thesun")
        assert health.evaluate(s, outlet, CFG, NOW) == []
        assert health.outlet_health(s, outlet).state == "never crawled"


def test_crawls_that_keep_none_of_their_links_open_an_unmatched_incident(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        outlet = repository.get_or_create_outlet(s, "thesun")
        add_run(s, outlet, "ok")
        for _ in range(CFG.failures_before_alert):
            assert health.evaluate(s, outlet, CFG, NOW) == []
            add_run(s, outlet, "unmatched", fetched=0, error="12 links found, none an article of the outlet")
        changes = health.evaluate(s, outlet, CFG, NOW)
        assert [(c.kind, c.opened) for c in changes] == [("unmatched", True)]
        assert "12 links found" in changes[0].detail
        state = health.outlet_health(s, outlet)
        assert state.state == "unmatched" and state.consecutive_failures == 0  # not "failing": the site answers
        assert state.last_success_at is not None  # the first, ok crawl: unmatched ones are no success
        add_run(s, outlet, "ok")
        assert [(c.kind, c.opened) for c in health.evaluate(s, outlet, CFG, NOW)] == [("unmatched", False)]
