"""The ingest path: exact duplicates are never stored twice, and what is stored is clean."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from storage import db, staging
from storage.ingest import Ingestor
from storage.models import Article, Story
from storage.prepare import Preparer
from storage.records import ArticleRecord

TEXT = (
    "KUALA LUMPUR, Sept 29 (Bernama) -- The Malaysian Maritime Enforcement Agency detained a "
    "Vietnamese fishing boat with 12 crew members off Kuala Terengganu on Sunday."
)


@pytest.fixture
def ingestor(database_url: str) -> Ingestor:
    db.upgrade(database_url)
    return Ingestor(db.session_factory(db.make_engine(database_url)))


def record(url: str = "https://www.bernama.com/en/news.php?id=1", text: str = TEXT, **kw: object) -> ArticleRecord:
    return ArticleRecord(url=url, title="MMEA detains Vietnamese boat", text=text, outlet="bernama-en", **kw)  # type: ignore[arg-type]


def count(ingestor: Ingestor) -> int:
    with ingestor.sessions() as s:
        return int(s.scalar(select(func.count(Article.id))) or 0)


def test_same_canonical_url_is_stored_once(ingestor: Ingestor) -> None:
    assert ingestor.ingest(record()).status == "stored"
    again = ingestor.ingest(record("HTTP://WWW.Bernama.com/en/news.php?id=1&utm_source=x#top", text=TEXT + " More."))
    assert (again.status, again.reason) == ("duplicate", "dedup/url")
    assert count(ingestor) == 1


def test_same_body_text_is_stored_once(ingestor: Ingestor) -> None:
    ingestor.ingest(record())
    copy = ingestor.ingest(record("https://mirror.example.org/a", text="  " + TEXT.upper() + "\n"))
    assert (copy.status, copy.reason) == ("duplicate", "dedup/content")
    assert count(ingestor) == 1


def test_each_article_belongs_to_a_story(ingestor: Ingestor) -> None:
    result = ingestor.ingest(record())
    with ingestor.sessions() as s:
        story = s.get(Story, result.story_id)
        assert story is not None and story.first_article_id == result.article_id and story.article_count == 1


def test_future_date_is_clamped_and_language_detected(ingestor: Ingestor) -> None:
    future = datetime.now(UTC) + timedelta(days=30)
    result = ingestor.ingest(record(published_at=future))
    with ingestor.sessions() as s:
        article = s.get(Article, result.article_id)
        assert article is not None
        assert article.published_at is not None and article.published_at <= datetime.now(UTC)
        assert article.published_at.tzinfo is not None
        assert article.language == "en"


def test_empty_text_is_rejected(ingestor: Ingestor) -> None:
    assert ingestor.ingest(record(text="   ")).reason == "invalid/empty"
    assert count(ingestor) == 0


def stored_row(ingestor: Ingestor, article_id: int | None) -> tuple[object, ...]:
    with ingestor.sessions() as s:
        a = s.get(Article, article_id)
        assert a is not None
        return (a.text, a.language, a.content_hash, a.fingerprint, a.signals, a.embedding, a.story_id)


def test_an_article_prepared_where_it_was_extracted_is_stored_as_ingest_would_store_it(database_url: str) -> None:
    # The crawl's extraction processes prepare each article (storage.prepare); in cluster mode
    # it then travels as JSON in staged_articles. Stored, it is the same article, in the same story.
    db.upgrade(database_url)
    sessions = db.session_factory(db.make_engine(database_url))
    report = TEXT + (
        " The boat was spotted by a patrol vessel about 80 nautical miles north-east of the coast at"
        " 10.30am. Its skipper failed to produce any fishing permit, the agency's director said in a"
        " statement, adding that the crew, aged between 19 and 58, were taken to the jetty for checks."
    )
    copy = record("https://mirror.example.org/b", text="\x00 " + report + " Officials said more boats were seen.")
    first = Ingestor(sessions).ingest(record(text=report))
    prepared = staging.record_from_json(staging.record_to_json(Preparer(None)(copy)))
    assert prepared.prepared is not None and prepared.language == "en"
    by_crawl = Ingestor(sessions).ingest(prepared)
    row = stored_row(Ingestor(sessions), by_crawl.article_id)
    with sessions.begin() as s:
        s.execute(delete(Article).where(Article.id == by_crawl.article_id))
    by_ingest = Ingestor(sessions).ingest(copy)
    assert by_crawl.story_id == by_ingest.story_id == first.story_id  # joined as a near duplicate both times
    assert row == stored_row(Ingestor(sessions), by_ingest.article_id)
