"""The sandbox's data: a hand-written story (``Story``) and an article as served (``Article``)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Story:
    """One hand-written article, placed relative to the sandbox's ``now``.

    ``section`` is the outlet's own section path (``quoc-te/doi-ngoai-quoc-phong``, ``general``,
    ``malaysia-news`` ...); ``place`` is the wire dateline city for Bernama stories.
    """

    outlet: str
    id: int
    section: str
    hours_ago: float
    on_topic: bool
    title: str
    lead: str
    body: tuple[str, ...]
    author: str = ""
    caption: str = ""
    place: str = ""


def story(
    outlet: str,
    sid: int,
    section: str,
    hours: float,
    on_topic: bool,
    title: str,
    lead: str,
    body: str,
    author: str = "",
    caption: str = "",
    place: str = "",
) -> Story:
    """A ``Story`` from hand-written text: ``body`` paragraphs are separated by blank lines and
    re-flowed (the source wraps them for reading)."""
    paragraphs = tuple(" ".join(p.split()) for p in body.strip().split("\n\n"))
    return Story(outlet, sid, section, hours, on_topic, title, lead, paragraphs, author, caption, place)


@dataclass(frozen=True)
class Article:
    """An article the sandbox serves: what a crawler should find at ``url``."""

    outlet: str
    id: int
    url: str
    path: str
    section: str
    title: str
    lead: str
    paragraphs: tuple[str, ...]
    published_at: datetime
    language: str
    on_topic: bool
    author: str = ""
    caption: str = ""

    @property
    def text(self) -> str:
        """The body as plain text, paragraphs separated by newlines (what extraction should give)."""
        return "\n".join(self.paragraphs)


_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    """ASCII slug the way Vietnamese CMSs build them: diacritics dropped, đ -> d."""
    folded = unicodedata.normalize("NFKD", title.replace("đ", "d").replace("Đ", "D"))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    return _NON_SLUG.sub("-", ascii_text).strip("-")[:90].rstrip("-")
