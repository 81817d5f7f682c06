"""``extract FILE|URL|-``: run the crawler's extraction on one page and print the article as
JSON; with ``-``, JSON lines ``{"url", "html"}`` on stdin, one JSON object out per line.
Stores nothing and needs no database.

The outlet (its selector hints and timezone) is ``--outlet``, else the configured outlet
serving the URL's host (or the page's canonical link's).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cli.command import CommandError, Commands, UsageError, add_command
from cli.output import JsonLinesIn, print_json

if TYPE_CHECKING:
    from app import App
    from config import Config, OutletConfig
    from crawler.extract import Extracted


def extract(app: App, args: argparse.Namespace) -> int:
    cfg = app.config
    outlet = None
    if args.outlet:
        try:
            outlet = cfg.outlet(args.outlet)
        except KeyError:
            known = ", ".join(o.slug for o in cfg.outlets) or "none configured"
            raise UsageError(f"--outlet: no outlet named {args.outlet!r} (known: {known})") from None
    if args.source == "-":
        return _extract_lines(cfg, outlet, args.url)
    page_url = args.url
    if args.source.startswith(("http://", "https://")):
        html: str | bytes = _fetch_page(args.source, cfg)
        page_url = page_url or args.source
    else:
        try:
            html = Path(args.source).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {args.source}: {exc.strerror}") from None
    result = _extract_with_outlet(cfg, html, page_url, outlet)
    if result is None:
        raise CommandError(f"{args.source}: no article text found")
    print_json(result.to_json())
    return 0


def register(commands: Commands) -> None:
    parser = add_command(
        commands, "extract", extract, help="print the article extracted from an HTML file, a URL or stdin"
    )
    parser.add_argument(
        "source", metavar="FILE|URL|-", help='HTML file, http(s) URL, or - for JSON lines {"url", "html"}'
    )
    parser.add_argument("--url", help="the page's address (for a file or stdin lines without one)")
    parser.add_argument("--outlet", metavar="SLUG", help="use this outlet's hints and timezone (default: from the URL)")


def _page(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict) or not isinstance(item.get("html"), str):
        raise ValueError("expected a JSON object with an 'html' string")
    if item.get("url") is not None and not isinstance(item["url"], str):
        raise ValueError("'url' must be a string")
    return item


def _extract_lines(cfg: Config, outlet: OutletConfig | None, default_url: str | None) -> int:
    """JSON lines {"url", "html"} in, one JSON object out per line; a bad line is reported, not fatal."""
    pages = JsonLinesIn(sys.stdin, _page, lambda lineno, reason: {"url": None, "line": lineno, "error": reason})
    for lineno, item in pages:
        page_url = item.get("url") or default_url
        result = _extract_with_outlet(cfg, item["html"], page_url, outlet)
        print_json(result.to_json() if result else {"url": page_url, "line": lineno, "error": "no article text"})
        sys.stdout.flush()
    return 1 if pages.bad else 0


def _extract_with_outlet(
    cfg: Config, html: str | bytes, url: str | None, outlet: OutletConfig | None
) -> Extracted | None:
    """Extract with the given outlet, else the one the URL (or the page's canonical link) belongs to."""
    from crawler.extract import extract

    chosen = outlet or _outlet_for_url(cfg, url)
    result = extract(html, url, outlet=chosen)
    if chosen is None and result is not None and result.canonical_url:
        guessed = _outlet_for_url(cfg, result.canonical_url)
        if guessed is not None:
            result = extract(html, url, outlet=guessed)
    return result


def _outlet_for_url(cfg: Config, url: str | None) -> OutletConfig | None:
    """The configured outlet serving ``url``'s host; its article pattern settles a shared host."""
    if not url:
        return None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    matches = []
    for outlet in cfg.outlets:
        hosts = {(urlsplit(outlet.base_url).hostname or "").lower(), *(d.lower() for d in outlet.domains)}
        if any(host == h or host.endswith("." + h) for h in hosts if h):
            matches.append(outlet)
    for outlet in matches:
        try:
            if re.search(outlet.article_pattern, path):
                return outlet
        except re.error:
            continue
    return matches[0] if matches else None


def _fetch_page(url: str, cfg: Config) -> str | bytes:
    """One GET with redirects and cookies (cookie gates), the crawler's user agent, timeout and
    size cap; decoded as a crawl decodes it."""
    import httpx

    from crawler.extract import decode_html

    limit = cfg.crawler.max_response_bytes
    headers = {"User-Agent": cfg.crawler.user_agent}
    try:
        with (
            httpx.Client(timeout=float(cfg.crawler.timeout), follow_redirects=True, headers=headers) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise CommandError(f"cannot fetch {url}: HTTP {response.status_code}")
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise CommandError(f"cannot fetch {url}: larger than crawler.max_response_bytes ({limit} bytes)")
    except httpx.HTTPError as exc:
        raise CommandError(f"cannot fetch {url}: {exc}") from None
    return decode_html(body, response.charset_encoding) or body
