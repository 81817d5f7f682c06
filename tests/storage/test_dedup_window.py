"""The story index is bounded by the window: it holds the articles a new one can still join
(two windows behind the newest), drops older ones as time moves on, loads only those at
start-up, and still links a late back-fill to its story from the database."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from storage import db
from storage.dedup.index import StoryIndex
from storage.ingest import Ingestor
from storage.records import ArticleRecord
from tests.helpers import random_words

T0 = datetime(2026, 11, 1, tzinfo=UTC)
WINDOW = timedelta(hours=12)
STEP = timedelta(minutes=30)
COUNT = 400  # a little over 8 days: 16 windows


def report(i: int, when: datetime, outlet: str = "bernama-en", extra: str = "") -> ArticleRecord:
    text = f"{random_words(i, 120)}.\n\n{random_words(10_000 + i, 80)}.{extra}"
    url = f"https://{outlet}.example.org/{i}{extra[:3]}"
    # The language given, as a crawl gives its outlet's: nothing here is about detecting it.
    return ArticleRecord(url, f"Report {i}", text, outlet, language="en", published_at=when)


def held_times(index: StoryIndex) -> list[datetime]:
    return [datetime.fromtimestamp(t, UTC) for t in index._whens]


@pytest.mark.slow  # ingests 400 articles, twice (SQLite and PostgreSQL)
def test_the_index_holds_only_what_the_window_can_still_join(database_url: str) -> None:
    sessions = db.session_factory(db.make_engine(database_url))
    end = T0 + STEP * (COUNT - 1)
    ingestor = Ingestor(sessions, StoryIndex(WINDOW.total_seconds()), clock=lambda: end)
    for i in range(COUNT):
        assert ingestor.ingest(report(i, T0 + STEP * i)).status == "stored"
    index = ingestor.index
    in_two_windows = sum(1 for i in range(COUNT) if T0 + STEP * i >= end - 2 * WINDOW)
    # Older articles are dropped in batches (a quarter of what is held, at least 64 at a time).
    assert in_two_windows < len(index) <= in_two_windows + max(64, len(index) // 4) + 1
    assert min(held_times(index)) >= end - 2 * WINDOW - STEP * (max(64, len(index) // 4) + 1)
    assert len(index) < COUNT / 3
    assert index.counters["dedup/expired"] >= COUNT - len(index)

    # A restart loads exactly the two windows, and the index still joins a copy of a recent report.
    restarted = Ingestor(sessions, StoryIndex(WINDOW.total_seconds()), clock=lambda: end)
    recent = restarted.ingest(report(COUNT - 3, end, outlet="thesun", extra=" Reporting by staff."))
    assert len(restarted.index) == in_two_windows + 1
    assert min(held_times(restarted.index)) >= end - 2 * WINDOW
    first = restarted.ingest(report(COUNT - 3, end, outlet="vietnamplus", extra=" More from the wire."))
    assert recent.status == first.status == "stored" and recent.story_id == first.story_id and not first.new_story


@pytest.mark.slow  # ingests 400 articles, twice (SQLite and PostgreSQL)
def test_a_late_back_fill_still_joins_its_story_through_the_database(database_url: str) -> None:
    sessions = db.session_factory(db.make_engine(database_url))
    end = T0 + STEP * (COUNT - 1)
    ingestor = Ingestor(sessions, StoryIndex(WINDOW.total_seconds()), clock=lambda: end)
    stored = [ingestor.ingest(report(i, T0 + STEP * i)) for i in range(COUNT)]
    old = 10  # published days before anything the index holds now
    assert T0 + STEP * old < min(held_times(ingestor.index))

    copy = ingestor.ingest(report(old, T0 + STEP * old + timedelta(hours=2), outlet="thesun", extra=" Staff."))
    assert copy.status == "stored" and copy.story_id == stored[old].story_id
    assert ingestor.index.counters["dedup/past_period_loaded"] == 1
    # The next old arrival of the same period reuses what was read; a new one is new.
    lone = ingestor.ingest(report(50_000, T0 + STEP * (old + 4)))
    assert lone.new_story and ingestor.index.counters["dedup/past_period_loaded"] == 1
    # The index of the present is untouched: it still holds only its windows.
    assert min(held_times(ingestor.index)) >= end - 2 * WINDOW - STEP * (max(64, len(ingestor.index) // 4) + 1)


TEMPLATE = (
    "KUALA LUMPUR, {day} December (Bernama) -- The Malaysian Maritime Enforcement Agency detained a "
    "Vietnamese fishing boat with {crew} crew members about 60 nautical miles off Kuala Terengganu on "
    "{day} December. Its director said the boat was spotted during Ops Permai and its skipper could "
    "not produce a valid fishing permit. The case is being investigated under the Fisheries Act 1985."
)


def test_debug_logs_say_which_veto_refused_a_close_candidate_and_on_which_values(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    sessions = db.session_factory(db.make_engine(database_url))
    ingestor = Ingestor(sessions, StoryIndex(), clock=lambda: T0 + timedelta(days=12))
    early, late = TEMPLATE.format(day=3, crew=12), TEMPLATE.format(day=10, crew=12)
    first = ingestor.ingest(
        ArticleRecord("https://bernama.com/1", "Boat held", early, "bernama-en", published_at=T0 + timedelta(2))
    )
    with caplog.at_level(logging.DEBUG, logger="storage.dedup.index"):
        later = ingestor.ingest(
            ArticleRecord("https://thesun.my/2", "Boat held", late, "thesun", published_at=T0 + timedelta(days=9))
        )
    assert later.story_id != first.story_id
    said = "\n".join(r.getMessage() for r in caplog.records)
    assert f"article {first.article_id}" in said and "date" in said
    assert "dates 10/12 / 3/12" in said  # the values each side gave
