"""Story assignment: which existing story (if any) a new article belongs to.

This is the interface ingest relies on. The first version links nothing (every article
starts its own story); near-duplicate and cross-language linking replace ``find_story``
(see the deduplication issue) without changing ingest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.records import ArticleRecord


@dataclass(frozen=True)
class Fingerprint:
    """What is stored with an article so the index can be rebuilt from the database."""

    simhash: int | None = None
    data: bytes | None = None
    signals: dict[str, Any] | None = None


class StoryIndex:
    def __init__(self, window_seconds: float = 7 * 86400) -> None:
        self.window_seconds = window_seconds

    def load(self, session: Session) -> None:
        """Build the in-memory index from the fingerprints stored in the database."""

    def fingerprint(self, record: ArticleRecord, text: str) -> Fingerprint:
        return Fingerprint()

    def find_story(self, session: Session, record: ArticleRecord, fp: Fingerprint, when: datetime) -> int | None:
        """The id of the story this article joins, or None for a new story."""
        return None

    def add(self, article_id: int, story_id: int, record: ArticleRecord, fp: Fingerprint, when: datetime) -> None:
        """Remember a stored article (called after its transaction committed)."""
