"""``outlets list`` and ``outlets check NAME``: the outlets Newswatch knows, and a dry run of one.

``list`` shows every built-in preset and every ``[outlets.<name>]`` table, enabled or not,
with where it comes from and its sources (feeds, sitemaps, listing pages). ``check`` crawls
one declared outlet without storing anything (``crawler.check``) and says what a crawl would
keep and why. Neither writes to the database; ``check`` only reads it, when there is one, to
tell known URLs from new ones.
"""

from __future__ import annotations

import argparse
from collections import Counter
from typing import TYPE_CHECKING, Any

from cli.command import Commands, UsageError, add_command
from cli.output import Column, print_json, table
from cli.terminal import cell

if TYPE_CHECKING:
    from app import App
    from config import Config, OutletConfig
    from crawler.check import CheckReport

LIST_COLUMNS = (
    Column("outlet", 14),
    Column("enabled", 7),
    Column("declared", 14),
    Column("lang", 4),
    Column("family", 8),
    Column("base URL"),
)
SOURCE_KINDS = (("feeds", "feed"), ("sitemaps", "sitemap"), ("listings", "listing"))


def outlets_list(app: App, args: argparse.Namespace) -> int:
    cfg = app.config
    rows = [outlet_row(cfg, outlet) for outlet in listed(cfg)]
    if args.json:
        for row in rows:
            print_json(row)
        return 0
    rendered = table(
        LIST_COLUMNS,
        [
            (
                r["outlet"],
                "yes" if r["enabled"] else "no",
                r["declared"],
                r["language"],
                r["family"] or "-",
                r["base_url"],
            )
            for r in rows
        ],
    ).splitlines()
    lines = rendered[:1]
    for row, line in zip(rows, rendered[1:], strict=True):
        lines.append(line)
        for plural, singular in SOURCE_KINDS:
            lines += [f"  {singular:<8} {cell(url)}" for url in row[plural]]
    enabled = sum(1 for row in rows if row["enabled"])
    print("\n".join(lines))
    print(
        f"{enabled} of {len(rows)} outlets enabled ([outlets] enabled in {cfg.path}); "
        "try one before enabling it: run.py outlets check NAME"
    )
    return 0


def listed(cfg: Config) -> list[OutletConfig]:
    """The enabled outlets in the order of ``outlets.enabled``, then the others."""
    enabled = {o.slug for o in cfg.outlets}
    return [*cfg.outlets, *(o for o in cfg.available if o.slug not in enabled)]


def outlet_row(cfg: Config, outlet: OutletConfig) -> dict[str, Any]:
    from crawler.outlets import load_presets, source_url

    preset = outlet.slug in load_presets()
    table_in_file = outlet.slug in cfg.outlet_tables
    declared = "preset+config" if preset and table_in_file else "preset" if preset else "config"
    return {
        "outlet": outlet.slug,
        "name": outlet.name,
        "enabled": cfg.is_enabled(outlet.slug),
        "declared": declared,
        "base_url": outlet.base_url,
        "language": ",".join(outlet.declared_languages) or "detected",
        "timezone": outlet.timezone,
        "family": outlet.family or None,
        "article_pattern": outlet.article_pattern,
        **{
            plural: [source_url(outlet.base_url, path) for path in getattr(outlet, plural)]
            for plural, _ in SOURCE_KINDS
        },
    }


def outlets_check(app: App, args: argparse.Namespace) -> int:
    """Crawl one declared outlet without storing anything; exit 1 when a crawl would store nothing."""
    from crawler.check import check_outlet
    from storage.db import SchemaNotReady

    cfg = app.config
    try:
        outlet = cfg.outlet(args.name)
    except KeyError:
        declared = ", ".join(o.slug for o in cfg.available) or "none"
        raise UsageError(f"no outlet named {args.name!r} (declared: {declared})") from None
    if args.fetch < 0:
        raise UsageError("--fetch: expected 0 or more articles")
    sessions = None
    try:
        app.require_schema()  # read-only: never creates or migrates
        sessions = app.sessions
        database = "stored and seen URLs read from the database (nothing is written)"
    except SchemaNotReady:
        database = "no database at the newest schema to compare with: every article link counts as new"
    report = check_outlet(cfg, outlet, sessions, args.fetch, database)
    nothing = report.stores_nothing()
    if args.json:
        print_json(report_json(report, nothing))
    else:
        print(format_report(report, nothing, show_all=args.all))
    return 1 if nothing else 0


DECISION_WORDS = {
    "new": "new",
    "known": "known",
    "old": "too old",
    "again": "listed again",  # by another source, or twice
    "pattern": "pattern mismatch",
    "offsite": "offsite",
    "bad-url": "malformed",
    "held": "failed before",  # waiting for its retry, or given up (crawl-errors)
    "retry": "retry due",
}


def format_report(report: CheckReport, nothing: bool, show_all: bool = False) -> str:
    from storage.models import iso

    outlet = report.outlet
    lines = [
        f"outlet {outlet.slug}: {outlet.name}, {outlet.base_url} "
        f"({'enabled' if report.enabled else 'not enabled'}); dry run, nothing is stored",
        f"  article_pattern '{outlet.article_pattern}'; "
        f"languages: {', '.join(outlet.declared_languages) or 'detected'}",
        f"  {report.database}",
        "",
        "robots.txt",
    ]
    if not report.robots_consulted:
        lines.append("  not consulted (crawler.obey_robots = false)")
    elif not report.robots:
        lines.append("  not read (no answer from the site): every page is allowed")
    for robots in report.robots:
        verdict = (
            f"forbids {', '.join(robots.forbidden)}" if robots.forbidden else "allows the base URL and every source"
        )
        lines.append(f"  {cell(robots.url)}: {verdict}")
    refused = [a.url for a in report.articles if a.error and a.error.startswith("robots")]
    if refused:
        lines.append(f"  forbids {len(refused)} fetched article(s), e.g. {cell(refused[0])}")
    lines += ["", "sources"]
    for source in report.sources:
        status = str(source.status) if source.status is not None else "-"
        what = f"{source.items} {'links' if source.kind == 'listing' else 'items'}"
        line = f"  {source.kind:<8} {status:>4}  {what:<10} {cell(source.url)}"
        lines.append(line + (f"  ({cell(source.error)})" if source.error else ""))
    if not report.sources:
        lines.append("  none answered")
    articles = report.decided("new", "known", "old", "again")
    others = report.decided("pattern", "offsite", "bad-url")
    tally = ", ".join(f"{len(report.decided(d))} {DECISION_WORDS[d]}" for d in ("new", "known", "old", "again"))
    lines += ["", f"links: {len(articles)} articles of the outlet ({tally}), {len(others)} other links"]
    shown = report.links if show_all else report.decided("new", "known", "old")
    for link in shown:
        when = iso(link.published_at, "minutes") or ""
        fetched = "  [fetched]" if link.fetched else ""
        lines.append(f"  {DECISION_WORDS[link.decision]:<16} {when:<25} {cell(link.url)}{fetched}")
    if others and not show_all:
        kinds = ", ".join(f"{n} {DECISION_WORDS[d]}" for d, n in Counter(link.decision for link in others).items())
        lines.append(f"  ... and {len(others)} other links ({kinds}): --all lists them")
    new = report.decided("new")
    lines += ["", f"articles fetched: {len(report.articles)} (--fetch {report.fetch}; {len(new)} new links)"]
    for article in report.articles:
        lines.append(f"  {cell(article.url)}")
        if article.error:
            lines.append(f"    nothing stored: {cell(article.error)}")
            continue
        date = iso(article.published_at, "minutes") if article.published_at else "none"
        origin = f" (from {article.date_source})" if article.date_source else ""
        reads = f"; the text reads as {article.read_as or 'unknown'}"
        lines += [
            f"    title:    {cell(article.title)}",
            f"    date:     {date}{origin}",
            f"    language: {article.language or 'unknown'}{reads}",
            f"    author:   {cell(article.author or '-')}",
            f"    length:   {len(article.text)} characters, {len(article.text.split())} words",
            *(f"    | {cell(line)[:150]}" for line in article.first_lines),
        ]
    warnings = report.warnings()
    lines += ["", "warnings" if warnings else "warnings: none"]
    lines += [f"  - {cell(warning)}" for warning in warnings]
    lines.append("")
    if nothing:
        lines.append(f"result: a crawl of {outlet.slug} would store nothing (exit status 1)")
    else:
        lines.append(f"result: a crawl would fetch {len(new)} new article(s)")
    return "\n".join(lines)


def report_json(report: CheckReport, nothing: bool) -> dict[str, Any]:
    from storage.models import iso

    return {
        "outlet": report.outlet.slug,
        "enabled": report.enabled,
        "database": report.database,
        "robots": [{"url": r.url, "forbidden": list(r.forbidden)} for r in report.robots],
        "robots_forbidden": report.robots_forbidden,
        "sources": [
            {"kind": s.kind, "url": s.url, "status": s.status, "items": s.items, "error": s.error}
            for s in report.sources
        ],
        "links": [
            {
                "source": link.source,
                "url": link.url,
                "decision": link.decision,
                "published_at": iso(link.published_at),
                "fetched": link.fetched,
            }
            for link in report.links
        ],
        "articles": [
            {
                "url": a.url,
                "error": a.error,
                "title": a.title or None,
                "published_at": iso(a.published_at),
                "date_source": a.date_source,
                "language": a.language,
                "reads_as": a.read_as,
                "author": a.author,
                "length": len(a.text),
                "first_lines": a.first_lines,
            }
            for a in report.articles
        ],
        "counts": dict(report.counts),
        "warnings": report.warnings(),
        "stores_nothing": nothing,
    }


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "outlets", help="the outlets Newswatch knows (presets and yours), and a dry run of one"
    )
    actions = parser.add_subparsers(dest="outlets_command", metavar="ACTION", required=True)
    parser = add_command(
        actions, "list", outlets_list, help="every preset and declared outlet, enabled or not, with its sources"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser = add_command(
        actions,
        "check",
        outlets_check,
        help="dry run of one declared outlet (enabled or not): robots.txt, sources, every link's fate, "
        "N articles extracted, warnings; stores nothing; exit 1 when a crawl would store nothing",
    )
    parser.add_argument("name", metavar="NAME", help="a preset or an [outlets.<name>] table")
    parser.add_argument(
        "--fetch", type=int, default=3, metavar="N", help="new articles to fetch and extract (default 3)"
    )
    parser.add_argument("--all", action="store_true", help="list every link, also those that are not articles")
    parser.add_argument("--json", action="store_true", help="the whole report as one JSON object")
