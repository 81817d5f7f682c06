"""``import PATH...``: store articles from JSON, JSON-lines or HTML files (``import`` is a keyword,
hence the module's name).

A JSON file holds one record or a list of them, a JSON-lines file one per line; a record has
``url`` and ``text`` and may have ``title``, ``outlet``, ``language``, ``author`` and
``published_at`` (ISO 8601; without a zone, UTC). An HTML page goes through the crawler's
extraction; its address is ``--url`` or its canonical link. Stored articles go through the
same ingest path as crawled ones (dedup, stories, alerts).
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli.command import CommandError, Commands, add_command
from cli.output import parse_json_lines

if TYPE_CHECKING:
    from app import App
    from storage.records import ArticleRecord

log = logging.getLogger("newswatch")


def import_files(app: App, args: argparse.Namespace) -> int:
    app.upgrade()
    ingestor = app.ingestor()
    results: list[str] = []
    for path in args.paths:
        for record in read_import_file(Path(path), args.url, args.outlet):
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


def read_import_file(path: Path, url: str | None, outlet: str | None) -> Iterator[ArticleRecord]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None
    head = data.lstrip()[:200].lower()
    if path.suffix.lower() in (".html", ".htm") or head.startswith((b"<!doctype", b"<html", b"<")):
        yield _record_from_html(path, data, url, outlet)
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
        yield _record_from_json(item, f"{path}: record {i}", outlet)


def _record_from_html(path: Path, data: bytes, url: str | None, outlet: str | None) -> ArticleRecord:
    from crawler.extract import extract
    from storage.records import ArticleRecord

    extracted = extract(data, url)
    page_url = url or (extracted.canonical_url if extracted else None)
    if extracted is None:
        raise CommandError(f"{path}: no article text found in this HTML page")
    if not page_url:
        raise CommandError(f"{path}: the page has no canonical link; give its address with --url")
    return ArticleRecord(
        url=page_url,
        title=extracted.title,
        text=extracted.text,
        outlet=outlet or "import",
        author=extracted.author,
        published_at=_aware(extracted.published_at),
    )


def _record_from_json(item: Any, where: str, outlet: str | None) -> ArticleRecord:
    from storage.records import ArticleRecord

    if not isinstance(item, dict):
        raise CommandError(f"{where}: expected a JSON object")
    for key in ("url", "text"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise CommandError(f"{where}: missing {key!r}")
    published = None
    if item.get("published_at"):
        try:
            published = _aware(datetime.fromisoformat(str(item["published_at"])))
        except ValueError:
            raise CommandError(f"{where}: published_at is not an ISO 8601 date: {item['published_at']!r}") from None
    return ArticleRecord(
        url=item["url"],
        title=str(item.get("title") or ""),
        text=item["text"],
        outlet=outlet or str(item.get("outlet") or "import"),
        language=item.get("language") or None,
        author=item.get("author") or None,
        published_at=published,
    )


def _aware(value: datetime | None) -> datetime | None:
    """Dates without a zone in imported files are taken as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
