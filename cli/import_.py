"""``import PATH...``: store articles from JSON, JSON-lines or HTML files (``import`` is a keyword,
hence the module's name).

A JSON file holds one record or a list of them, a JSON-lines file one per line; a record has
``url`` and ``text`` and may have ``title``, ``outlet``, ``language``, ``author`` and
``published_at`` (ISO 8601). An HTML page goes through the crawler's extraction; its address is
``--url`` or its canonical link. Stored articles go through the same ingest path as crawled
ones (dedup, stories, alerts).

A record's ``outlet`` (or ``--outlet``) is resolved like a crawl's: a configured outlet, else a
built-in preset, gives its display name, family (one publisher's language editions), language
(when the text's own cannot be told) and time zone (for a ``published_at`` without one). An
outlet known to neither is stored under the slug as given, its dates in UTC.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cli.command import CommandError, Commands, add_command
from cli.output import parse_json_lines

if TYPE_CHECKING:
    from app import App
    from config import Config, OutletConfig
    from storage.records import ArticleRecord

log = logging.getLogger("newswatch")


@dataclass(frozen=True)
class OutletInfo:
    """What an imported record's outlet slug stands for: the declared outlet (configured or
    preset, enabled or not), else just the slug."""

    slug: str
    declared: OutletConfig | None = None

    @property
    def timezone(self) -> str:
        return self.declared.timezone if self.declared else "UTC"

    def languages_at(self, url: str) -> tuple[str, ...]:
        return self.declared.languages_at(url) if self.declared else ()

    def fields(self) -> dict[str, Any]:
        """The record's outlet fields, as a crawl of that outlet fills them."""
        if self.declared is None:
            return {"outlet": self.slug}
        o = self.declared
        return {"outlet": o.slug, "outlet_name": o.name, "outlet_family": o.family or None}


def outlet_info(config: Config | None, slug: str) -> OutletInfo:
    try:
        return OutletInfo(slug, config.outlet(slug) if config is not None else None)
    except KeyError:
        return OutletInfo(slug)


def import_files(app: App, args: argparse.Namespace) -> int:
    app.upgrade()
    ingestor = app.ingestor()
    results: list[str] = []
    for path in args.paths:
        for record in read_import_file(Path(path), args.url, args.outlet, app.config):
            result = ingestor.ingest(record)
            results.append(result.status)
            if result.status != "stored":
                log.info("%s: %s (%s)", record.url, result.status, result.reason)
    stored = results.count("stored")
    dup = results.count("duplicate")
    invalid = results.count("invalid")
    if stored == 0 and results:
        print(f"nothing new: {dup} already stored, {invalid} invalid")
    else:
        print(f"imported {stored} new articles ({dup} already stored, {invalid} invalid)")
    return 0


def register(commands: Commands) -> None:
    parser = add_command(commands, "import", import_files, help="store articles from JSON, JSON-lines or HTML files")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--url", help="the address of an HTML file's page (default: its canonical link)")
    parser.add_argument("--outlet", help="outlet slug for the imported articles (default: the record's or 'import')")


def read_import_file(
    path: Path, url: str | None, outlet: str | None, config: Config | None = None
) -> Iterator[ArticleRecord]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    head = data.lstrip()[:200].lower()
    if path.suffix.lower() in (".html", ".htm") or head.startswith((b"<!doctype", b"<html", b"<")):
        yield _record_from_html(path, data, url, outlet_info(config, outlet or "import"))
        return
    text = data.decode("utf-8-sig")
    items: list[Any]
    try:
        parsed = json.loads(text)
        items = parsed if isinstance(parsed, list) else [parsed]
    except json.JSONDecodeError:
        items = []
        for lineno, item, error in parse_json_lines(text.splitlines()):
            if error is not None:
                raise CommandError(f"{path}:{lineno}: {error}") from None
            items.append(item)
    for i, item in enumerate(items, 1):
        where = f"{path}: record {i}"
        if not isinstance(item, dict):
            raise CommandError(f"{where}: expected a JSON object")
        yield _record_from_json(item, where, outlet_info(config, outlet or str(item.get("outlet") or "import")))


def _record_from_html(path: Path, data: bytes, url: str | None, outlet: OutletInfo) -> ArticleRecord:
    from crawler.extract import extract
    from storage.records import ArticleRecord

    extracted = extract(data, url, outlet=outlet.declared)
    page_url = url or (extracted.canonical_url if extracted else None)
    if extracted is None:
        raise CommandError(f"{path}: no article text found in this HTML page")
    if not page_url:
        raise CommandError(f"{path}: the page has no canonical link; give its address with --url")
    return ArticleRecord(
        url=page_url,
        title=extracted.title,
        text=extracted.text,
        language=extracted.language,
        author=extracted.author,
        published_at=_aware(extracted.published_at, outlet.timezone),
        date_source=extracted.date_source,
        **outlet.fields(),
    )


def _record_from_json(item: dict[str, Any], where: str, outlet: OutletInfo) -> ArticleRecord:
    from language import detect_language
    from storage.records import ArticleRecord

    for key in ("url", "text"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise CommandError(f"{where}: missing {key!r}")
    published = None
    if item.get("published_at"):
        try:
            published = _aware(datetime.fromisoformat(str(item["published_at"])), outlet.timezone)
        except ValueError:
            raise CommandError(f"{where}: published_at is not an ISO 8601 date: {item['published_at']!r}") from None
    title = str(item.get("title") or "")
    # As a crawl of the outlet: its one language, or detection among its languages (among
    # every language we read for an outlet known to neither the configuration nor the presets).
    language = item.get("language") or detect_language(f"{title}\n{item['text']}", outlet.languages_at(item["url"]))
    return ArticleRecord(
        url=item["url"],
        title=title,
        text=item["text"],
        language=language,
        author=item.get("author") or None,
        published_at=published,
        **outlet.fields(),
    )


def _aware(value: datetime | None, timezone: str = "UTC") -> datetime | None:
    """Dates without a zone in imported files are in the outlet's time zone (UTC for an outlet
    known to neither the configuration nor the presets)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)
    return value
