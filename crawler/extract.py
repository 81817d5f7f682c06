"""Extraction: HTML + URL in, an ``Extracted`` article or ``None`` out. A pure function.

No I/O and no database: the crawler pipeline and ``run.py import``/``extract`` call it and
turn ``None`` into a counted drop with a reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import trafilatura


@dataclass(frozen=True)
class Extracted:
    url: str
    title: str
    text: str
    author: str | None
    published_at: datetime | None
    language: str | None
    canonical_url: str | None = None


def extract(html: str | bytes, url: str | None = None) -> Extracted | None:
    """Extract the main article from ``html``; None when the page has no article text."""
    raw = trafilatura.extract(
        html,
        url=url,
        output_format="json",
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    if not raw:
        return None
    data = json.loads(raw)
    text = (data.get("text") or "").strip()
    if not text:
        return None
    published = None
    if data.get("date"):
        try:
            published = datetime.fromisoformat(data["date"])
        except ValueError:
            published = None
    return Extracted(
        url=url or data.get("source") or "",
        title=(data.get("title") or "").strip(),
        text=text,
        author=data.get("author") or None,
        published_at=published,
        language=None,
        canonical_url=data.get("source") or None,
    )
