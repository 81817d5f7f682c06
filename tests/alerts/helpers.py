"""Shared setup for the alert tests: a config with one watch, articles that match it, and a story
index that joins every article into one story.

The servers they talk to (webhook receiver, mail sink) are the sandbox's (``sandbox``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sandbox.webhook import SECRET
from storage.dedup.fingerprint import Fingerprint
from storage.dedup.index import StoryIndex
from storage.models import Article
from storage.records import ArticleRecord
from tests.helpers import random_words

TITLE = "Malaysia and Vietnam <script>alert('x')</script> hold joint maritime patrol"
TEXT = (
    "KUALA LUMPUR, Nov 24 (Bernama) -- The navies of Malaysia and Vietnam began a joint maritime patrol "
    "in the South China Sea on Monday, the Royal Malaysian Navy said. The exercise follows talks between "
    "the defence ministers of Malaysia and Vietnam in Hanoi last month."
)
WATCH = "vn-my"
QUERY = '"Malaysia" AND "Vietnam"'


def alert_config(
    database_url: str,
    webhook_url: str | None = None,
    smtp_port: int | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A config dict with one watch sending to the given channels (``hook``, ``mail``)."""
    channels: dict[str, Any] = {}
    if webhook_url:
        channels["hook"] = {"type": "webhook", "url": webhook_url, "secret_env": "HOOK_SECRET", "timeout": "2s"}
    if smtp_port:
        channels["mail"] = {
            "type": "smtp",
            "host": "127.0.0.1",
            "port": smtp_port,
            "security": "none",
            "sender": "Newswatch <alerts@newswatch.example.org>",
            "to": ["analyst@example.org", "Duty Desk <desk@example.org>"],
            "timeout": "5s",
        }
    data: dict[str, Any] = {
        "storage": {"database_url": database_url},
        "channels": channels,
        "watches": {WATCH: {"query": QUERY, "channels": list(channels)}},
        "alerts": {"timezone": "Asia/Ho_Chi_Minh", "retry_base": "30s", "retry_for": "24h"},
        # These tests prove what is sent and how; story linking's semantic route (about 0.2 s of
        # CPU per matching article) is proven in tests/storage and end to end in tests/e2e.
        "dedup": {"semantic": "off"},
    }
    return _merge(data, overrides)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
    return base


ENV = {"HOOK_SECRET": SECRET}


class OneStory(StoryIndex):
    """Every article joins the first story (stands in for near-duplicate detection)."""

    def find_story(self, session: Session, record: ArticleRecord, fp: Fingerprint, when: datetime) -> int | None:
        return session.scalar(select(func.min(Article.story_id)))


def story_text(n: int) -> str:
    """Report 1 is TEXT; every other n is a different story (not a near-copy) naming both countries."""
    if n == 1:
        return TEXT
    return f"Malaysia and Vietnam: {random_words(n, 60)} (report {n})."


def record(n: int = 1, *, age: timedelta = timedelta(hours=1), **kw: Any) -> ArticleRecord:
    defaults: dict[str, Any] = {
        "url": f"https://www.bernama.com/en/news.php?id={n}",
        "title": TITLE,
        "text": story_text(n),
        "outlet": "bernama-en",
        "language": "en",
        "published_at": datetime.now(UTC) - age,
    }
    return ArticleRecord(**{**defaults, **kw})
