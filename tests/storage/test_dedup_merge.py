"""Stories merged by a bridging article (issue 5: dedup was sensitive to ingestion order).

Two write-ups of one event that share no sentence start two stories; the wire copy both were
written from belongs to both, and merges them into the older one. Every case goes through the
real ``Ingestor`` (and, for alerts, the real outbox wired by ``app.build_app``) on SQLite and
PostgreSQL.
"""

# ruff: noqa: E501  (the texts below are news paragraphs, one line each)
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from app import App, build_app
from storage.models import AlertDelivery, Article, Story, WatchMatch
from storage.stories import list_stories
from tests.helpers import make_config
from tests.storage.dedup_cases import COPY, REWRITE, T0, WIRE, make_ingestor, rec

# Another outlet's own write-up of the same wire story: its own lead and wording around a
# different wire sentence (the seizure), so it shares no sentence with REWRITE.
REWRITE_B = """Malaysian maritime officers have seized two fishing vessels from Vietnam and arrested 29 fishermen found 68 nautical miles from Kuala Terengganu on Tuesday, the state's maritime chief said.

Maritime Captain Mohd Khairulanuar Abd Majid told reporters that KM Pekan intercepted the vessels in the morning during the Ops Naga Barat patrol.

He said the boats, the catch of about 1,500 kilogrammes of fish and equipment worth an estimated RM2.4 million were seized and taken to the MMEA jetty in Kuala Terengganu for further action.

Fishermen's associations in the state have urged tougher penalties for repeat offenders."""

# The wire story redated: the same template on another day (a different detention).
WIRE_OTHER_DAY = WIRE.replace("March 12", "March 19").replace("on Tuesday", "on Friday")


def story_rows(url: str) -> list[tuple[int, int, int | None]]:
    """(id, article_count, first_article_id) of every story, oldest first."""
    ing = make_ingestor(url)
    with ing.sessions() as s:
        rows = s.execute(select(Story.id, Story.article_count, Story.first_article_id).order_by(Story.id))
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_two_rewrites_first_then_the_wire_copy_make_one_story_of_three(database_url: str) -> None:
    ing = make_ingestor(database_url, semantic=False)
    first = ing.ingest(rec("https://www.thestar.com.my/news/1", REWRITE, "thestar", T0 + timedelta(hours=3)))
    second = ing.ingest(rec("https://www.nst.com.my/news/2", REWRITE_B, "nst", T0 + timedelta(hours=4)))
    assert second.new_story and second.story_id != first.story_id  # nothing in common yet
    wire = ing.ingest(rec("https://www.bernama.com/en/news.php?id=1", WIRE, "bernama-en"))
    assert wire.status == "stored" and not wire.new_story
    assert wire.story_id == first.story_id  # the older story stays
    assert ing.index.counters["dedup/merged"] == 1
    with ing.sessions() as s:
        (story,) = list_stories(s)
    assert story.story_id == first.story_id
    assert story.first_article_id == first.article_id
    assert story.outlets == ["thestar", "nst", "bernama-en"]
    assert story_rows(database_url) == [(first.story_id, 3, first.article_id)]
    # Later copies see one story: this process (its index) and a restarted one.
    copy = ing.ingest(rec("https://thesun.my/local/mmea-1", COPY, "thesun", T0 + timedelta(hours=5)))
    assert copy.story_id == first.story_id
    restarted = make_ingestor(database_url)
    again = restarted.ingest(
        rec("https://www.nst.com.my/news/9", REWRITE_B + "\n\nThe crew will be charged on Monday.", "nst")
    )
    assert again.story_id == first.story_id
    assert story_rows(database_url) == [(first.story_id, 5, first.article_id)]


def test_a_look_alike_of_another_date_never_merges_anything(database_url: str) -> None:
    ing = make_ingestor(database_url, semantic=False)
    first = ing.ingest(rec("https://www.thestar.com.my/news/1", REWRITE, "thestar", T0 + timedelta(hours=3)))
    second = ing.ingest(rec("https://www.nst.com.my/news/2", REWRITE_B, "nst", T0 + timedelta(hours=4)))
    other = ing.ingest(rec("https://www.bernama.com/en/news.php?id=2", WIRE_OTHER_DAY, "bernama-en"))
    assert other.new_story
    assert len({first.story_id, second.story_id, other.story_id}) == 3
    assert ing.index.counters["dedup/merged"] == 0
    assert [count for _, count, _ in story_rows(database_url)] == [1, 1, 1]
    # The real wire copy then merges the two write-ups, and leaves the look-alike alone
    # (it is near-identical to it, but reports another day).
    wire = ing.ingest(rec("https://www.bernama.com/en/news.php?id=1", WIRE, "bernama-en"))
    assert wire.story_id == first.story_id
    assert story_rows(database_url) == [(first.story_id, 3, first.article_id), (other.story_id, 1, other.article_id)]


# ---------------------------------------------------------------------------- alerts


def alerting_app(database_url: str) -> App:
    """The real composition: ingest with the outbox hook, two instant watches on one webhook."""
    data: dict[str, Any] = {
        "storage": {"database_url": database_url},
        # The bridging merge is the subject: the semantic route would join the write-ups at once.
        "dedup": {"semantic": "off"},
        "channels": {"hook": {"type": "webhook", "url": "http://127.0.0.1:9/hook", "timeout": "2s", "unsigned": True}},
        "watches": {
            # Named in every write-up of the detention.
            "patrol": {"query": '"Naga Barat"', "channels": ["hook"]},
            # Only in the younger write-up (and the wire): the older story never alerts for it.
            "catch": {"query": "kilogrammes", "channels": ["hook"]},
        },
    }
    return build_app(make_config(data))


def test_a_merged_story_never_alerts_again_for_a_watch_either_part_alerted(database_url: str) -> None:
    app = alerting_app(database_url)
    ing = app.ingestor()
    now = datetime.now(UTC)

    def deliveries() -> list[tuple[int, str]]:
        with app.sessions() as s:
            rows = s.execute(
                select(Article.id, WatchMatch.watch)
                .select_from(AlertDelivery)
                .join(WatchMatch, WatchMatch.id == AlertDelivery.match_id)
                .join(Article, Article.id == WatchMatch.article_id)
                .order_by(Article.id, WatchMatch.watch)
            )
            return [(a, w) for a, w in rows]

    first = ing.ingest(rec("https://www.thestar.com.my/news/1", REWRITE, "thestar", now - timedelta(hours=3)))
    second = ing.ingest(rec("https://www.nst.com.my/news/2", REWRITE_B, "nst", now - timedelta(hours=2)))
    assert second.story_id != first.story_id
    sent = [(first.article_id, "patrol"), (second.article_id, "catch"), (second.article_id, "patrol")]
    assert deliveries() == sent  # two stories: each alerted (the younger one for both watches)

    wire = ing.ingest(rec("https://www.bernama.com/en/news.php?id=1", WIRE, "bernama-en", now - timedelta(hours=1)))
    assert wire.story_id == first.story_id and ing.index.counters["dedup/merged"] == 1
    copy = ing.ingest(rec("https://thesun.my/local/mmea-1", COPY, "thesun", now - timedelta(minutes=30)))
    assert copy.story_id == first.story_id
    # The alerts already sent stay; the bridging wire copy and the later copy add none, neither
    # for the watch both parts alerted nor for the one only the younger part alerted.
    assert deliveries() == sent
    with app.sessions() as s:
        matches = s.execute(select(WatchMatch.article_id, WatchMatch.watch, WatchMatch.story_id, WatchMatch.alerted))
        by_article = {(a, w): (sid, alerted) for a, w, sid, alerted in matches}
    assert {sid for sid, _ in by_article.values()} == {first.story_id}
    assert wire.article_id is not None and copy.article_id is not None
    assert by_article[(wire.article_id, "catch")] == (first.story_id, False)
    assert by_article[(wire.article_id, "patrol")] == (first.story_id, False)
    assert by_article[(copy.article_id, "patrol")] == (first.story_id, False)
    # A new story (SQLite may give it the merged story's freed id) still alerts normally.
    fresh = REWRITE_B.replace("Vietnam", "Thailand").replace("Tuesday", "Sunday")
    new = ing.ingest(rec("https://www.nst.com.my/news/3", fresh.replace("29", "17").replace("68", "40"), "nst", now))
    assert new.new_story
    assert (new.article_id, "patrol") in deliveries()
