"""Frozen records passed between stages: what a crawler or importer hands to ingest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class ArticleRecord:
    """An extracted article on its way into storage.

    ``canonical_url`` is filled by whoever knows the outlet's URL rules (the crawler); when it
    is missing, ingest applies the generic rules of ``storage.urls.canonicalize``.
    """

    url: str
    title: str
    text: str
    outlet: str  # outlet slug
    canonical_url: str | None = None
    language: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    # Where ``published_at`` came from (``Article.date_source``); ingest says "import" when a
    # record has a date and no source.
    date_source: str | None = None
    fetched_at: datetime | None = None
    outlet_name: str | None = None
    outlet_family: str | None = None


@dataclass(frozen=True)
class IngestResult:
    """What happened to one record. ``status`` is ``stored``, ``duplicate`` or ``invalid``, or
    ``staged`` (cluster mode: handed to the ingest role, which decides and counts it later);
    ``reason`` says which rule decided (``dedup/url``, ``dedup/content``, ``invalid/empty``...)."""

    status: Literal["stored", "duplicate", "invalid", "staged"]
    reason: str
    url: str
    article_id: int | None = None
    story_id: int | None = None
    new_story: bool = False
