"""Full-text search finds what a reader types, on SQLite (FTS5) and PostgreSQL (GIN), and
stays in step with the articles table (inserts, edits, deletes)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from storage import browse, db
from storage.ingest import Ingestor
from storage.models import Article, WatchMatch
from storage.records import ArticleRecord
from storage.search import fts5_expression, parse_search

TEXTS = {
    "vi": ("Hải quân Việt Nam tuần tra", "Tàu hải quân Việt Nam tuần tra chung với Malaysia ở vùng biển phía nam."),
    "en": ("MMEA detains fishing boat", "The MMEA detained a Vietnamese fishing boat off Kuantan with 12 crew."),
    "ms": ("Bot nelayan ditahan", "Maritim Malaysia menahan sebuah bot nelayan Vietnam di perairan Kuantan."),
    "trade": ("Trade fair opens", "A trade fair on fishing equipment opened in Kuala Lumpur with 200 exhibitors."),
}


def titles(session: Session, typed: str) -> list[str]:
    found = browse.stories(session, browse.StoryFilter(search=parse_search(typed)))
    return sorted(s.articles[0].title for s in found)


def test_search_on_both_databases(database_url: str) -> None:
    db.upgrade(database_url)
    engine = db.make_engine(database_url)
    sessions = db.session_factory(engine)
    ingest = Ingestor(sessions)
    when = datetime(2026, 12, 1, tzinfo=UTC)
    for lang, (title, text) in TEXTS.items():
        stored = ingest.ingest(ArticleRecord(f"https://example.org/{lang}", title, text, "test", language=lang,
                                             published_at=when))  # fmt: skip
        assert stored.status == "stored"
    with sessions() as session:
        assert titles(session, "viet nam") == ["Hải quân Việt Nam tuần tra"]  # marks folded
        assert titles(session, "hải quân") == ["Hải quân Việt Nam tuần tra"]
        assert titles(session, '"fishing boat"') == ["MMEA detains fishing boat"]
        assert titles(session, "fishing") == ["MMEA detains fishing boat", "Trade fair opens"]
        assert titles(session, "fishing -trade") == ["MMEA detains fishing boat"]
        assert titles(session, "kuantan nelayan OR mmea") == ["Bot nelayan ditahan", "MMEA detains fishing boat"]
        assert titles(session, 'detained "unbalanced') == []  # a stray quote is no error
        assert titles(session, "AND OR NOT ( * :") == []
    with sessions.begin() as session:  # the index follows edits and deletions
        session.execute(update(Article).where(Article.url == "https://example.org/trade").values(title="Expo opens"))
        session.execute(delete(WatchMatch))
        session.execute(delete(Article).where(Article.url == "https://example.org/ms"))
    with sessions() as session:
        assert titles(session, "expo") == ["Expo opens"]
        assert titles(session, "nelayan") == []
    engine.dispose()


def test_typed_queries_become_safe_fts5_expressions() -> None:
    assert fts5_expression(parse_search('navy "coast guard" OR MMEA -football')) == (
        '("navy") AND ("coast guard" OR "MMEA") NOT "football"'
    )
    assert fts5_expression(parse_search('say "hi"" there')) == '("say") AND ("hi") AND ("there")'
    assert not parse_search("-football")  # only exclusions: nothing to find
    assert not parse_search("OR")
