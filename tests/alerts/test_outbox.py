"""The outbox: a new matching story is recorded with its deliveries, once, in the article's
transaction; old articles and later copies of a story never alert."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.outbox import enqueue_system_alert
from app import App, build_app
from storage.ingest import Ingestor
from storage.models import AlertDelivery, Article, WatchMatch
from storage.status import DeliveryStatus
from tests.alerts.helpers import ENV, WATCH, OneStory, alert_config, record
from tests.helpers import make_config


def make_app(database_url: str, **overrides: Any) -> App:
    data = alert_config(database_url, "http://127.0.0.1:9/hook", 2525, **overrides)
    return build_app(make_config(data, env=ENV))


def rows(app: App, model: type) -> list[Any]:
    with app.sessions() as s:
        return list(s.scalars(select(model)))


def test_a_matching_article_gets_its_match_and_one_pending_delivery_per_channel(database_url: str) -> None:
    app = make_app(database_url)
    result = app.ingestor().ingest(record())
    assert result.status == "stored"
    (match,) = rows(app, WatchMatch)
    assert (match.watch, match.article_id, match.alerted) == (WATCH, result.article_id, True)
    assert {t.lower() for t in match.terms} >= {"malaysia", "vietnam"}
    assert match.snippets and match.snippets[0]["spans"]
    deliveries = rows(app, AlertDelivery)
    assert sorted(d.channel for d in deliveries) == ["hook", "mail"]
    assert all(
        d.status == DeliveryStatus.PENDING and d.match_id == match.id and d.kind == "instant" for d in deliveries
    )
    assert len({d.id for d in deliveries}) == 2


def test_an_article_that_does_not_match_creates_nothing(sqlite_url: str) -> None:
    app = make_app(sqlite_url)
    app.ingestor().ingest(
        record(title="Johor water tariffs", text="The Johor state assembly debated water tariffs. " * 3)
    )
    assert rows(app, WatchMatch) == [] and rows(app, AlertDelivery) == []


def test_later_articles_of_an_alerted_story_are_matched_but_do_not_alert_again(database_url: str) -> None:
    app = make_app(database_url)
    ingestor = Ingestor(app.sessions, index=OneStory(), on_stored=[app.outbox()])
    first = ingestor.ingest(record(1))
    second = ingestor.ingest(record(2, outlet="thesun", url="https://thesun.my/news/2"))
    assert first.story_id == second.story_id
    matches = {m.article_id: m for m in rows(app, WatchMatch)}
    assert matches[first.article_id].alerted and not matches[second.article_id].alerted
    assert len(rows(app, AlertDelivery)) == 2  # the first article's two channels, nothing more


def test_old_articles_are_stored_and_matched_but_never_alert(database_url: str) -> None:
    app = make_app(database_url)
    app.ingestor().ingest(record(1, age=timedelta(hours=30)))  # older than max_article_age (24h)
    (article,) = rows(app, Article)
    (match,) = rows(app, WatchMatch)
    assert not article.alertable and not match.alerted
    assert rows(app, AlertDelivery) == []
    # A fresh article of a different story still alerts.
    app.ingestor().ingest(record(2, age=timedelta(hours=2), title="Vietnam, Malaysia sign maritime accord"))
    assert len(rows(app, AlertDelivery)) == 2


def test_the_match_and_its_deliveries_commit_with_the_article_or_not_at_all(sqlite_url: str) -> None:
    app = make_app(sqlite_url)

    def broken_hook(session: Session, article: Article, new_story: bool) -> None:
        raise RuntimeError("disk full")

    ingestor = Ingestor(app.sessions, on_stored=[app.outbox(), broken_hook])
    with pytest.raises(RuntimeError):
        ingestor.ingest(record())
    assert rows(app, Article) == [] and rows(app, WatchMatch) == [] and rows(app, AlertDelivery) == []


def test_system_alerts_are_queued_once_per_key_and_channel(sqlite_url: str) -> None:
    app = make_app(sqlite_url)
    for _ in range(2):
        with app.sessions.begin() as s:
            enqueue_system_alert(s, ["hook", "mail"], "qdnd.vn is failing", "3 crawls failed", "health/qdnd/failing/1")
    deliveries = rows(app, AlertDelivery)
    assert sorted(d.channel for d in deliveries) == ["hook", "mail"]
    assert all(d.kind == "system" and d.payload and d.payload["subject"] == "qdnd.vn is failing" for d in deliveries)
