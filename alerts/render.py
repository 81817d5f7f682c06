"""Turn a delivery into what a channel sends: subject, plain text, HTML and the webhook JSON.

Two steps. ``message_data`` reads the database and builds a JSON-ready dict (the webhook's
``data``, documented in README "Webhook payload"). ``Renderer`` fills the Jinja2 templates in
``alerts/templates/`` with it; a file of the same name in ``alerts.templates_dir`` replaces the
built-in one. HTML templates are autoescaped, so nothing from a crawled page (titles, snippets,
author names) can inject markup; in ``webhook.json`` every ``{{ expression }}`` is written as
JSON, so a user template cannot produce broken JSON by quoting.

A delivery is rendered once, when it is queued (``render_delivery``), and the result is stored
with it (``Rendered.to_json``): every attempt sends the same bytes, and the webhook's
``timestamp`` is the time of the event (the delivery's creation), not of the attempt. What
becomes known later, such as other outlets reporting the story, never changes a queued message;
a watch with ``updates = true`` gets a follow-up (kind ``update``) instead.

Reads ``[alerts] timezone`` (times are shown in it) and ``templates_dir`` (relative to the
config file's folder).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.errors import RenderError
from alerts.readable import short_label, telling_snippets
from config import Config
from language import language_name
from storage.models import AlertDelivery, Article, Outlet, StoryCopy, WatchMatch, iso

BUILTIN_TEMPLATES = Path(__file__).resolve().parent / "templates"

# The webhook "type" of each delivery kind.
EVENT_TYPES = {
    "instant": "watch.match",
    "update": "watch.update",
    "digest": "watch.digest",
    "system": "system.notice",
    "test": "test",
}


@dataclass(frozen=True)
class Rendered:
    """One message, ready for any channel."""

    delivery_id: str
    kind: str
    subject: str
    text: str
    html: str
    body: bytes  # the webhook request body (JSON)
    thread: str | None  # stable per story ("story-12"): email threading

    def to_json(self) -> dict[str, Any]:
        """What ``AlertDelivery.message`` stores (the id and kind are the delivery's own)."""
        return {
            "subject": self.subject,
            "text": self.text,
            "html": self.html,
            "body": self.body.decode("utf-8"),
            "thread": self.thread,
        }

    @classmethod
    def from_json(cls, delivery_id: str, kind: str, stored: Mapping[str, Any]) -> Rendered:
        return cls(
            delivery_id=delivery_id,
            kind=kind,
            subject=str(stored["subject"]),
            text=str(stored["text"]),
            html=str(stored["html"]),
            body=str(stored["body"]).encode("utf-8"),
            thread=stored.get("thread"),
        )


# --------------------------------------------------------------------------- data


def article_data(article: Article) -> dict[str, Any]:
    outlet: Outlet = article.outlet
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "outlet": outlet.slug,
        "outlet_name": outlet.name,
        "language": article.language,
        "language_name": language_name(article.language),
        "author": article.author,
        "published_at": iso(article.published_at),
        "fetched_at": iso(article.fetched_at),
    }


def also_reported_by(session: Session, story_id: int, except_article: int) -> list[dict[str, Any]]:
    """The story's other articles, oldest first (other outlets, other languages), then the
    copies of its text that other addresses or outlets ran (``StoryCopy``: not stored again,
    never alerted, still listed), each marked ``"copy": true``."""
    rows = session.scalars(
        select(Article).where(Article.story_id == story_id, Article.id != except_article).order_by(Article.id)
    ).all()
    keys = ("outlet", "outlet_name", "title", "url", "language", "language_name", "published_at")
    found = [{k: v for k, v in article_data(a).items() if k in keys} for a in rows]
    copies = session.scalars(
        select(StoryCopy).join(Article, Article.id == StoryCopy.article_id).where(Article.story_id == story_id)
        .order_by(StoryCopy.id)
    ).all()  # fmt: skip
    for copy in copies:
        outlet: Outlet = copy.outlet
        found.append(
            {
                "outlet": outlet.slug,
                "outlet_name": outlet.name,
                "title": copy.title,
                "url": copy.url,
                "language": copy.article.language,
                "language_name": language_name(copy.article.language),
                "published_at": iso(copy.published_at),
                "copy": True,
            }
        )
    return found


def match_data(session: Session, match: WatchMatch) -> dict[str, Any]:
    """One match as alerts show it: the words found (stored so by the outbox) and the snippets
    that add to the headline."""
    article = match.article
    story = article.story
    snippets = [s for s in (match.snippets or []) if isinstance(s, dict)]
    return {
        "watch": match.watch,
        "score": match.score,
        "terms": list(match.terms or []),
        "snippets": telling_snippets(snippets, article.title or ""),
        "article": article_data(article),
        "story": {"id": story.id, "title": story.title, "article_count": story.article_count},
        "also_reported_by": also_reported_by(session, story.id, article.id),
    }


def message_data(session: Session, delivery: AlertDelivery) -> dict[str, Any]:
    """The facts of one delivery as a JSON-ready dict (the webhook payload's ``data``)."""
    payload = dict(delivery.payload or {})
    if delivery.kind in ("instant", "update"):
        if delivery.match is None:
            raise RenderError("data", f"delivery {delivery.id} has no match")
        return match_data(session, delivery.match)
    if delivery.kind == "digest":
        ids = [int(i) for i in payload.get("match_ids", [])]
        matches = session.scalars(select(WatchMatch).where(WatchMatch.id.in_(ids)).order_by(WatchMatch.id)).all()
        watches: dict[str, list[dict[str, Any]]] = {}
        for m in matches:
            watches.setdefault(m.watch, []).append(match_data(session, m))
        return {
            "period": payload.get("period"),
            "start": payload.get("start"),
            "end": payload.get("end"),
            "story_count": len({m.story_id for m in matches}),
            "watches": [{"watch": name, "stories": stories} for name, stories in sorted(watches.items())],
        }
    return payload  # system and test messages carry their text in the payload


# --------------------------------------------------------------------------- templates


class Renderer:
    def __init__(
        self,
        timezone: str = "UTC",
        templates_dir: str | Path | None = None,
        labels: Mapping[str, str] | None = None,
        outlet_names: Mapping[str, str] | None = None,
    ) -> None:
        self.labels = dict(labels or {})  # watch name -> its subject prefix (label)
        # slug -> display name, for articles stored without one (an import names only the slug)
        self.outlet_names = dict(outlet_names or {})
        self.zone = ZoneInfo(timezone)
        self.timezone = timezone
        search = [str(templates_dir)] if templates_dir else []
        loader = jinja2.FileSystemLoader([*search, str(BUILTIN_TEMPLATES)])
        common: dict[str, Any] = {
            "loader": loader,
            "undefined": jinja2.StrictUndefined,
            "trim_blocks": True,
            "lstrip_blocks": True,
            "keep_trailing_newline": True,
        }
        self.env = jinja2.Environment(autoescape=jinja2.select_autoescape(["html", "htm"], default=False), **common)
        # JSON templates: every expression is written as a JSON value (their "autoescape").
        self.json_env = jinja2.Environment(autoescape=False, finalize=_json_value, **common)
        for env in (self.env, self.json_env):
            env.filters.update(
                localtime=self.localtime,
                highlight=highlight,
                marked=marked,
                safe_url=safe_url,
                terms=terms,
                language_name=language_name,
            )

    @classmethod
    def from_config(cls, config: Config) -> Renderer:
        folder = config.alerts.templates_dir
        if folder and not Path(folder).is_absolute():
            folder = str(Path(config.path).resolve().parent / folder) if config.path != "<dict>" else folder
        labels = {w.name: short_label(w.name, w.label) for w in config.watches}
        names = {o.slug: o.name for o in config.outlets}
        return cls(config.alerts.timezone, folder or None, labels, names)

    def localtime(self, value: str | datetime | None) -> str:
        """An ISO time as "2026-11-24 18:40 (Asia/Ho_Chi_Minh)" in ``alerts.timezone``."""
        if not value:
            return "unknown"
        when = datetime.fromisoformat(value) if isinstance(value, str) else value
        return f"{when.astimezone(self.zone):%Y-%m-%d %H:%M} ({self.timezone})"

    def render_delivery(self, session: Session, delivery: AlertDelivery) -> Rendered:
        """The delivery's message as of now, stamped with the time of its event (its creation)."""
        data = self.labelled(message_data(session, delivery))
        return self.render(delivery.id, delivery.kind, data, delivery.created_at)

    def labelled(self, data: dict[str, Any]) -> dict[str, Any]:
        """``data`` with each watch's ``label`` next to its name (the subject prefix), and each
        outlet's display name where the database only knows its slug."""
        if "watch" in data:
            return self._named({**data, "label": self.label(str(data["watch"]))})
        if "watches" in data:
            groups = [
                {**g, "label": self.label(str(g["watch"])), "stories": [self._named(m) for m in g["stories"]]}
                for g in data["watches"]
            ]
            return {**data, "watches": groups}
        return data

    def _named(self, match: dict[str, Any]) -> dict[str, Any]:
        def named(article: dict[str, Any]) -> dict[str, Any]:
            slug = article.get("outlet")
            if slug and article.get("outlet_name") in (None, "", slug) and slug in self.outlet_names:
                return {**article, "outlet_name": self.outlet_names[slug]}
            return article

        result = dict(match)
        if isinstance(match.get("article"), dict):
            result["article"] = named(match["article"])
        result["also_reported_by"] = [named(a) for a in match.get("also_reported_by", [])]
        return result

    def label(self, watch: str) -> str:
        return self.labels.get(watch) or short_label(watch)

    def render(self, delivery_id: str, kind: str, data: Mapping[str, Any], event_time: datetime) -> Rendered:
        page = {"system": "notice", "test": "notice", "update": "instant"}.get(kind, kind)
        envelope = {
            "type": EVENT_TYPES.get(kind, kind),
            "id": delivery_id,
            "timestamp": event_time.isoformat(),
            "data": data,
        }
        context = {"kind": kind, "delivery_id": delivery_id, "data": data, "payload": envelope}
        subject = one_line(self._render(self.env, "subject.txt", context))
        body = self._render(self.json_env, "webhook.json", context)
        try:
            json.loads(body)
        except ValueError as exc:
            raise RenderError("webhook.json", f"did not produce valid JSON ({exc})") from None
        thread = None
        if kind in ("instant", "update"):
            thread = f"story-{data['story']['id']}"
        return Rendered(
            delivery_id=delivery_id,
            kind=kind,
            subject=subject[:250],
            text=displayable(self._render(self.env, f"{page}.txt", context)),
            html=displayable(self._render(self.env, f"{page}.html", context)),
            body=body.encode("utf-8"),
            thread=thread,
        )

    def _render(self, env: jinja2.Environment, name: str, context: Mapping[str, Any]) -> str:
        try:
            return env.get_template(name).render(context)
        except jinja2.TemplateNotFound:
            raise RenderError(name, "not found") from None
        except jinja2.TemplateError as exc:
            where = f" line {exc.lineno}" if isinstance(exc, jinja2.TemplateSyntaxError) else ""
            raise RenderError(name, f"{type(exc).__name__}{where}: {exc}") from None


# Bidirectional controls: an override (U+202E) makes "exe.pdf" of "fdp.exe"; marks and
# isolates are invisible too. None of them belongs in a subject or a header.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_INVISIBLE = re.compile(f"[{_BIDI}]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1 controls but tab and newline


def one_line(text: str) -> str:
    """Text for a subject or a header: controls (CR, LF, ESC, NUL, ...) become spaces, bidi
    controls are removed, whitespace is collapsed. Crawled titles go through this: they must not
    break a header, spoof its direction or reach a terminal as an escape sequence."""
    text = _INVISIBLE.sub("", text)
    return " ".join(_CONTROL.sub(" ", text).replace("\n", " ").replace("\t", " ").split())


def displayable(text: str) -> str:
    """A message body: the same controls removed, lines kept."""
    return _CONTROL.sub("", _INVISIBLE.sub("", text.replace("\r\n", "\n")))


def _json_value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _spans(snippet: Mapping[str, Any]) -> list[tuple[int, int]]:
    text_len = len(snippet.get("text", ""))
    spans = sorted((int(s), int(e)) for s, e in snippet.get("spans", []))
    result: list[tuple[int, int]] = []
    for start, end in spans:
        start, end = max(start, result[-1][1] if result else 0), min(end, text_len)
        if start < end:
            result.append((start, end))
    return result


MAX_TERMS = 6


def terms(found: list[str], limit: int = MAX_TERMS) -> str:
    """Matched words for a reader: at most ``limit``, then "+N more"; joined with " · ", since a
    term may itself contain a comma."""
    shown = " · ".join(found[:limit])
    return shown + (f" · +{len(found) - limit} more" if len(found) > limit else "")


def highlight(snippet: Mapping[str, Any]) -> Markup:
    """A snippet as HTML: the text escaped, matched terms in ``<mark>``."""
    text = str(snippet.get("text", ""))
    out, pos = [], 0
    for start, end in _spans(snippet):
        out += [escape(text[pos:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def marked(snippet: Mapping[str, Any], before: str = "**", after: str = "**") -> str:
    """A snippet as plain text with matched terms between ``**``."""
    text = str(snippet.get("text", ""))
    out, pos = [], 0
    for start, end in _spans(snippet):
        out += [text[pos:start], before, text[start:end], after]
        pos = end
    out.append(text[pos:])
    return re.sub(r"\s+", " ", "".join(out)).strip()


def safe_url(url: str | None) -> str:
    """Only http(s) links go into an href; anything else (``javascript:``) becomes "#"."""
    if url and urlsplit(url).scheme.lower() in ("http", "https"):
        return url
    return "#"
