"""``extract FILE|URL|-``: run the crawler's extraction on one page and print the article as
JSON; with ``-``, JSON lines ``{"url", "html"}`` on stdin, one JSON object out per line.
Stores nothing and needs no database.

The outlet (its selector hints and timezone) is ``--outlet`` (any declared outlet or preset,
enabled or not: an outlet is tried before it is enabled), else the declared outlet serving the
URL's site, host and port (or the page's canonical link's). A URL is fetched under the crawl's
rules (``crawler.fetch``).
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
            known = ", ".join(o.slug for o in cfg.available) or "none configured"
            raise UsageError(f"--outlet: no outlet named {args.outlet!r} (declared: {known})") from None
    if args.source == "-":
        return _extract_lines(cfg, outlet, args.url)
    page_url = args.url
    if args.source.startswith(("http://", "https://")):
        html: str | bytes = _fetch_page(args.source, cfg, outlet)
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
    """The declared outlet serving ``url``'s site (host and port), an enabled one first; its
    article pattern settles a shared site."""
    from crawler.addresses import outlet_sites, url_allowed

    if not url:
        return None
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    candidates = {o.slug: o for o in (*cfg.outlets, *cfg.available)}.values()
    matches = [o for o in candidates if url_allowed(url, outlet_sites(o.base_url, o.domains))]
    for outlet in matches:
        try:
            if re.search(outlet.article_pattern, path):
                return outlet
        except re.error:
            continue
    return matches[0] if matches else None


def _fetch_page(url: str, cfg: Config, outlet: OutletConfig | None) -> str | bytes:
    """One GET under the crawl's rules (``crawler.fetch``: the outlet's sites, no local addresses,
    one deadline, the size cap), with the outlet's user agent; decoded as a crawl decodes it."""
    from crawler.addresses import outlet_sites, url_allowed
    from crawler.extract import decode_html
    from crawler.fetch import FetchError, fetch_page

    # Redirects stay on the sites of the outlet the URL is on; a URL elsewhere (a saved copy
    # tried with --outlet's hints) is its own site.
    site = outlet or _outlet_for_url(cfg, url)
    if site is not None and not url_allowed(url, outlet_sites(site.base_url, site.domains)):
        site = None
    try:
        crawler = cfg.crawler.for_outlet(outlet) if outlet is not None else cfg.crawler
        page = fetch_page(url, crawler, site.base_url if site else None, site.domains if site else ())
    except FetchError as exc:
        raise CommandError(str(exc)) from None
    return decode_html(page.body, page.charset) or page.body
