"""Cluster mode's hand-off between crawl workers and the ingest role: ``staged_articles``.

A worker stages each extracted article (``stage``: insert-or-ignore by canonical URL, and a
``NOTIFY`` on ``CHANNEL`` that wakes the ingest role when the row commits); the ingest role
reads them in arrival order (``next_batch``), stores each through ``storage.ingest`` and deletes
its row in the same transaction (a batch of rows in one: ``remove_many``). PostgreSQL only
(cluster mode); the table is empty on SQLite.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from storage.models import StagedArticle, utcnow
from storage.records import ArticleRecord, Prepared
from storage.urls import canonicalize

CHANNEL = "newswatch_staged"
_DATES = {"published_at", "fetched_at"}
_BYTES = {"fingerprint", "embedding"}  # of ``prepared``: base64 in the JSON


def record_to_json(record: ArticleRecord) -> dict[str, Any]:
    """The record as JSON, ``prepared`` (``storage.prepare``, done by the worker) included."""
    data = asdict(record)
    for name in _DATES:
        value = data[name]
        data[name] = value.isoformat() if value is not None else None
    prepared = data["prepared"]
    for name in _BYTES & set(prepared or ()):
        value = prepared[name]
        prepared[name] = base64.b64encode(value).decode("ascii") if value is not None else None
    return data


def record_from_json(data: dict[str, Any]) -> ArticleRecord:
    """The record staged; unprepared when staged by a version that did not prepare (ingest does)."""
    known = {f.name for f in fields(ArticleRecord)}
    values = {k: v for k, v in data.items() if k in known}
    for name in _DATES:
        if values.get(name) is not None:
            values[name] = datetime.fromisoformat(values[name])
    prepared = values.get("prepared")
    if prepared is not None:
        names = {f.name for f in fields(Prepared)}
        decoded: dict[str, Any] = {
            k: base64.b64decode(v) if k in _BYTES and v is not None else v for k, v in prepared.items()
        }
        values["prepared"] = Prepared(**{k: v for k, v in decoded.items() if k in names})
    return ArticleRecord(**values)


def stage(session: Session, record: ArticleRecord, crawl_run_id: int | None) -> bool:
    """Stage ``record``; False when its canonical URL is staged already (a job run twice)."""
    canonical = record.canonical_url or canonicalize(record.url)
    staged = session.scalar(
        insert(StagedArticle)
        .values(
            canonical_url=canonical,
            outlet=record.outlet,
            crawl_run_id=crawl_run_id,
            record=record_to_json(record),
            staged_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["canonical_url"])
        .returning(StagedArticle.id)
    )
    if staged is not None:
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
    return staged is not None


def staged_urls(session: Session, outlet: str) -> set[str]:
    """Canonical URLs of ``outlet`` waiting for the ingest role: known to its next crawl."""
    return set(session.scalars(select(StagedArticle.canonical_url).where(StagedArticle.outlet == outlet)))


def next_batch(session: Session, limit: int) -> list[StagedArticle]:
    return list(session.scalars(select(StagedArticle).order_by(StagedArticle.id).limit(limit)))


def remove(session: Session, staged_id: int) -> bool:
    """Delete a staged row; False when it was gone already (ingested by another process)."""
    return (
        session.scalar(delete(StagedArticle).where(StagedArticle.id == staged_id).returning(StagedArticle.id))
        is not None
    )


def remove_many(session: Session, staged_ids: list[int]) -> set[int]:
    """Delete staged rows; the ids of those that were still there (the others were ingested by
    another process)."""
    deleted = delete(StagedArticle).where(StagedArticle.id.in_(staged_ids)).returning(StagedArticle.id)
    return set(session.scalars(deleted))


def lag(session: Session) -> tuple[int, datetime | None]:
    """Rows waiting and when the oldest was staged (``status``: the ingest lane's lag)."""
    count, oldest = session.execute(select(func.count(StagedArticle.id), func.min(StagedArticle.staged_at))).one()
    return int(count or 0), oldest
