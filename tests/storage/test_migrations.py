"""Alembic is the only path to the schema: upgrade an empty database, then the models and the
migrations must agree (``alembic check``), on SQLite and PostgreSQL; a database created by the
released schema (revision 0001) upgrades with its data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, insert, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage import browse, db
from storage.ingest import Ingestor
from storage.models import AlertDelivery, Article, CrawlRun, WatchMatch
from storage.records import ArticleRecord
from storage.search import parse_search
from storage.status import CrawlStatus, DeliveryStatus


def search(session: Session, typed: str) -> list[str]:
    return [s.articles[0].title for s in browse.stories(session, browse.StoryFilter(search=parse_search(typed)))]


def test_upgrade_head_on_empty_database_then_check(empty_database_url: str) -> None:
    db.upgrade(empty_database_url)
    engine = db.make_engine(empty_database_url)
    tables = set(inspect(engine).get_table_names())
    assert {"articles", "stories", "outlets", "crawl_runs", "watch_matches", "alert_deliveries"} <= tables
    assert db.current_revision(engine) is not None
    engine.dispose()
    command.check(db.alembic_config(empty_database_url))  # raises if models and migrations differ


def test_upgrade_is_idempotent(empty_database_url: str) -> None:
    db.upgrade(empty_database_url)
    db.upgrade(empty_database_url)


def test_read_only_commands_know_the_head_revision_without_alembic() -> None:
    from alembic.script import ScriptDirectory

    assert db.head_revisions() == set(ScriptDirectory.from_config(db.alembic_config("")).get_heads())


def test_a_database_created_by_the_released_schema_upgrades_with_its_data(empty_database_url: str) -> None:
    """0001 is the schema of the first release: a database it created, with rows in every table
    that points at ``articles``, upgrades to head with nothing lost and nothing left dangling."""
    db.upgrade(empty_database_url, "0001")
    engine = db.make_engine(empty_database_url)
    old = MetaData()
    old.reflect(engine)
    assert "simhash" in old.tables["articles"].c
    at = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    with engine.begin() as conn:

        def add(table: str, **values: Any) -> Any:
            key = conn.execute(insert(old.tables[table]).values(**values)).inserted_primary_key
            assert key is not None
            return key[0]

        outlet = add("outlets", slug="qdnd-en", name="QĐND", created_at=at)
        story = add("stories", title="Talks", article_count=2, created_at=at, updated_at=at)
        common = {"outlet_id": outlet, "story_id": story, "fetched_at": at, "created_at": at}
        first = add(
            "articles",
            **common,
            url="https://en.qdnd.vn/a-1",
            canonical_url="https://en.qdnd.vn/a-1",
            title="Vietnamese, Malaysian defence ministers hold talks",
            text="Hà Nội, 30 November — the ministers met.",
            language="en",
            published_at=at,
            content_hash="a" * 64,
            fingerprint=b"\x01\x02\x00\xff",
            signals={"countries": ["MY", "VN"]},
            alertable=True,
        )
        add(
            "articles",
            **common,
            url="https://en.qdnd.vn/a-2",
            canonical_url="https://en.qdnd.vn/a-2",
            title="Second report",
            text="More.",
            content_hash="b" * 64,
            simhash=12345,  # never written by Newswatch; a value must not stop the upgrade either
            alertable=False,
        )
        conn.execute(update(old.tables["stories"]).values(first_article_id=first))
        match = add(
            "watch_matches",
            article_id=first,
            story_id=story,
            watch="vn-my",
            score=2.5,
            terms=["Malaysia"],
            snippets=[],
            alerted=True,
            alert_key=f"{story}/vn-my",
            created_at=at,
        )
        add(
            "alert_deliveries",
            id="msg_1",
            kind="instant",
            match_id=match,
            channel="hook",
            status="delivered",
            attempts=1,
            next_attempt_at=at,
            created_at=at,
            delivered_at=at,
        )
        counts = ("discovered", "skipped_known", "skipped_old", "fetched", "stored", "duplicates", "extract_empty")
        run = add("crawl_runs", outlet_id=outlet, started_at=at, status="partial", failed=1, **dict.fromkeys(counts, 2))
        add("crawl_errors", run_id=run, url="https://en.qdnd.vn/x", reason="http/404", at=at)
    engine.dispose()

    db.upgrade(empty_database_url)

    engine = db.make_engine(empty_database_url)
    head = ScriptDirectory.from_config(db.alembic_config(empty_database_url)).get_current_head()
    assert db.current_revision(engine) == head
    assert "simhash" not in {c["name"] for c in inspect(engine).get_columns("articles")}
    assert {"ix_articles_published_at", "ix_articles_story_id"} <= {
        i["name"] for i in inspect(engine).get_indexes("articles")
    }
    with db.session_factory(engine)() as session:
        first, second = session.scalars(select(Article).order_by(Article.id)).all()
        assert (first.title, first.text, first.published_at) == (
            "Vietnamese, Malaysian defence ministers hold talks",
            "Hà Nội, 30 November — the ministers met.",
            at,
        )
        assert first.fingerprint == b"\x01\x02\x00\xff" and first.signals == {"countries": ["MY", "VN"]}
        assert (second.alertable, first.outlet.slug, first.story.article_count) == (False, "qdnd-en", 2)
        match = session.scalars(select(WatchMatch)).one()
        assert match.article is first
        delivery = session.scalars(select(AlertDelivery)).one()
        assert delivery.status == DeliveryStatus.DELIVERED and delivery.match is match
        run = session.scalars(select(CrawlRun)).one()
        assert run.status == CrawlStatus.PARTIAL and [f.reason for f in run.failures] == ["http/404"]
        # Full-text search (0002) still finds the old rows and indexes new ones (SQLite: the
        # triggers were dropped with the copied table and must have been created again).
        assert search(session, "ministers") == ["Vietnamese, Malaysian defence ministers hold talks"]
    Ingestor(db.session_factory(engine)).ingest(
        ArticleRecord("https://en.qdnd.vn/a-3", "Coast guards meet", "The coast guards met in Kuantan.", "qdnd-en")
    )
    with db.session_factory(engine)() as session:
        assert search(session, "kuantan") == ["Coast guards meet"]
    # The copied table kept its constraints: uniqueness and foreign keys still hold.
    row = {**common, "url": "u", "title": "", "text": "x", "content_hash": "c" * 64}
    for broken in ({"canonical_url": "https://en.qdnd.vn/a-1"}, {"canonical_url": "u", "story_id": story + 99}):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert(Article).values({**row, **broken}))
    engine.dispose()
    command.check(db.alembic_config(empty_database_url))  # raises if models and migrations differ


def test_downgrade_to_the_released_schema_and_back(empty_database_url: str) -> None:
    db.upgrade(empty_database_url)
    command.downgrade(db.alembic_config(empty_database_url), "0001")
    engine = db.make_engine(empty_database_url)
    assert "simhash" in {c["name"] for c in inspect(engine).get_columns("articles")}
    engine.dispose()
    db.upgrade(empty_database_url)
    command.check(db.alembic_config(empty_database_url))


def test_0010_upgrades_a_0009_database_with_its_articles_and_back(empty_database_url: str) -> None:
    """0010 adds ``failed_urls`` and ``articles.date_source`` to a database of 0009 with its data
    kept (old articles have no date source); its downgrade drops them and keeps search working."""
    from storage.models import FailedUrl

    db.upgrade(empty_database_url, "0009")
    engine = db.make_engine(empty_database_url)
    at = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
    old = MetaData()  # the tables as 0009 left them (the models are of the head)
    old.reflect(engine)
    assert "failed_urls" not in old.tables and "date_source" not in old.tables["articles"].c
    with engine.begin() as conn:

        def add(table: str, **values: Any) -> Any:
            key = conn.execute(insert(old.tables[table]).values(**values)).inserted_primary_key
            assert key is not None
            return key[0]

        outlet_id = add("outlets", slug="qdnd-en", name="QĐND", created_at=at)
        story_id = add("stories", title="Talks", article_count=1, created_at=at, updated_at=at)
        conn.execute(
            insert(old.tables["articles"]).values(
                outlet_id=outlet_id,
                story_id=story_id,
                url="https://en.qdnd.vn/a-1",
                canonical_url="https://en.qdnd.vn/a-1",
                title="Ministers hold talks",
                text="The ministers met in Kuantan.",
                published_at=at,
                fetched_at=at,
                created_at=at,
                content_hash="a" * 64,
                alertable=True,
            )
        )
    engine.dispose()

    db.upgrade(empty_database_url)

    engine = db.make_engine(empty_database_url)
    with db.session_factory(engine)() as session, session.begin():
        article = session.scalars(select(Article)).one()
        assert (article.title, article.published_at, article.date_source) == ("Ministers hold talks", at, None)
        session.add(
            FailedUrl(
                outlet_id=outlet_id,
                canonical_url="https://en.qdnd.vn/x",
                url="https://en.qdnd.vn/x",
                source=False,
                reason="http/404",
                attempts=1,
                first_failed_at=at,
                last_failed_at=at,
            )
        )
    with db.session_factory(engine)() as session:
        assert search(session, "kuantan") == ["Ministers hold talks"]
    engine.dispose()
    command.check(db.alembic_config(empty_database_url))

    command.downgrade(db.alembic_config(empty_database_url), "0009")
    engine = db.make_engine(empty_database_url)
    assert "failed_urls" not in inspect(engine).get_table_names()
    assert "date_source" not in {c["name"] for c in inspect(engine).get_columns("articles")}
    engine.dispose()
    db.upgrade(empty_database_url)
    engine = db.make_engine(empty_database_url)
    Ingestor(db.session_factory(engine)).ingest(
        ArticleRecord("https://en.qdnd.vn/a-2", "Navies exercise", "The two navies exercised off Lumut.", "qdnd-en")
    )
    with db.session_factory(engine)() as session:
        assert search(session, "lumut") == ["Navies exercise"]  # the search triggers survived the downgrade
        assert search(session, "kuantan") == ["Ministers hold talks"]
    engine.dispose()
