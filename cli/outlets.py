"""``outlets list`` and ``outlets check NAME``: the outlets Newswatch knows, and a dry run of one.

``list`` shows every built-in preset and every ``[outlets.<name>]`` table, enabled or not,
with where it comes from and its sources (feeds, sitemaps, listing pages). ``check`` crawls
one declared outlet without storing anything (``crawler.check``) and says what a crawl would
keep and why. Neither writes to the database; ``check`` only reads it, when there is one, to
tell known URLs from new ones.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cli.command import Commands, add_command
from cli.output import Column, print_json, table
from cli.terminal import cell

if TYPE_CHECKING:
    from app import App
    from config import Config, OutletConfig

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


def register(commands: Commands) -> None:
    parser = commands.add_parser(
        "outlets", help="the outlets Newswatch knows (presets and yours), and a dry run of one"
    )
    actions = parser.add_subparsers(dest="outlets_command", metavar="ACTION", required=True)
    parser = add_command(
        actions, "list", outlets_list, help="every preset and declared outlet, enabled or not, with its sources"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
