"""Frozen records passed between stages: what a crawler or importer hands to ingest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal


@dataclass(frozen=True)
class Prepared:
    """What ingest computes of an article before it looks anything up (``storage.prepare``):
    the hash of its normalised text, its dedup fingerprint and signals and, for an article
    worth it, its embedding. Computed where the article was extracted and carried with it."""

    content_hash: str
    fingerprint: bytes | None
    signals: dict[str, Any] | None
    embedding: bytes | None = None


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
    # Set by ``storage.prepare`` (with the text cleaned and the language detected): ingest then
    # only looks up and writes. A record without it is prepared by ingest itself.
    prepared: Prepared | None = None


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
