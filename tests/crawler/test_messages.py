"""The crawl child's messages cross a process boundary: each kind survives pickling unchanged."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from typing import get_args

from crawler.messages import (
    ArticleFound,
    ChildMessage,
    LinkSeen,
    PageFailed,
    RobotsRead,
    SourceRead,
    SpiderClosed,
    TooOld,
    Validators,
)
from storage.records import ArticleRecord


def test_every_child_message_round_trips_through_pickle() -> None:
    record = ArticleRecord(
        url="https://www.bernama.com/en/news.php?id=1",
        title="Title",
        text="Text",
        outlet="bernama-en",
        published_at=datetime(2026, 11, 30, tzinfo=UTC),
    )
    messages: list[ChildMessage] = [
        ArticleFound("bernama-en", record, "metadata"),
        PageFailed("bernama-en", "https://www.bernama.com/en/x", "http/404", "Not Found"),
        Validators("bernama-en", "https://www.bernama.com/en/rssfeed.php", '"abc"', None),
        TooOld("bernama-en", "https://www.bernama.com/en/news.php?id=0"),
        SpiderClosed("bernama-en", {"fetched": 3}, "finished", ("https://www.bernama.com/en/a",)),
        SourceRead("bernama-en", "https://www.bernama.com/en/rssfeed.php", "feed", 200, 12),
        LinkSeen("bernama-en", "https://www.bernama.com/en/rssfeed.php", "https://www.bernama.com/en/a", "pattern"),
        RobotsRead("bernama-en", "https://www.bernama.com/robots.txt", ("https://www.bernama.com/en/x",)),
    ]
    assert {type(m) for m in messages} == set(get_args(ChildMessage))
    for message in messages:
        assert pickle.loads(pickle.dumps(message)) == message
