"""``status [OUTLET]``: per outlet, its health, last crawl, last success, last article, articles
in the last 24 h and in all, alerts waiting or failed, and the next scheduled crawl; then the
alert deliveries of every kind by status, and whether the semantic route of story linking is on;
for one outlet, also its latest failing URLs; and, when roles of a cluster ran on the database,
the cluster (``cluster.status``) (read-only: never migrates)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from cli.command import Commands, add_command, unknown_outlet
from cli.output import Column, ago, print_json, table

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from app import App
    from config import Config

STATUS_COLUMNS = (
    Column("outlet", 14),
    Column("health", 14, clip=14),
    Column("last crawl", 18, clip=18),
    Column("last success", 13),
    Column("last article", 13),
    Column("24h", 4, right=True),
    Column("total", 6, right=True),
    Column("pend", 5, right=True),
    Column("fail", 5, right=True),
    Column("next crawl"),
)


def status(app: App, args: argparse.Namespace) -> int:
    from app import semantic_status
    from cluster.status import cluster_status, format_cluster

    app.require_schema()
    now = datetime.now(UTC)
    with app.sessions() as session:
        rows = status_rows(session, app.config, now)
        totals = delivery_totals(session)
        if args.outlet:
            known = ", ".join(row["outlet"] for row in rows) or "none"
            rows = [row for row in rows if row["outlet"] == args.outlet]
            if not rows:
                raise unknown_outlet(app.config, args.outlet, f"configured or with stored articles: {known}")
            failing = outlet_failures(session, args.outlet, now, rows[0])
        cluster = None if args.outlet else cluster_status(session, now, float(app.config.cluster.stall_timeout))
    if args.json:
        for row in rows:
            print_json(row)
        if cluster is not None:
            print_json({"cluster": cluster})
        return 0
    print(format_status(rows, totals, now))
    if args.outlet:
        print(failing)
    print(f"story linking, semantic route: {semantic_status(app.config)}")
    if cluster is not None:
        print(format_cluster(cluster))
    return 0


SHOW_FAILING = 5  # failing URLs under ``status OUTLET``


def outlet_failures(session: Session, slug: str, now: datetime, row: dict[str, Any]) -> str:
    """The outlet's latest failing URLs: added to its JSON row, and as the text shown under its table."""
    from cli.crawl import failing_table, failure_json
    from storage import failed_urls

    failing = failed_urls.failing(session, slug)
    row["failing_urls"] = len(failing)
    row["latest_failing_urls"] = [failure_json(r) for r in failing[:SHOW_FAILING]]
    if not failing:
        return "failing URLs: none"
    more = f"; all of them: run.py crawl-errors {slug}" if len(failing) > SHOW_FAILING else ""
    shown = min(len(failing), SHOW_FAILING)
    return f"failing URLs ({shown} latest of {len(failing)}{more}):\n" + failing_table(failing[:SHOW_FAILING], now)


def register(commands: Commands) -> None:
    parser = add_command(
        commands, "status", status, help="per-outlet health, last crawl, articles in 24 h, alerts, next crawl"
    )
    parser.add_argument("outlet", nargs="?", metavar="OUTLET", help="only this outlet, with its latest failing URLs")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")


def status_rows(session: Session, cfg: Config, now: datetime) -> list[dict[str, Any]]:
    """One row per outlet (configured ones first, then any others with stored articles)."""
    from sqlalchemy import func, select

    from storage import health, repository
    from storage.models import AlertDelivery, Article, Outlet, WatchMatch, iso
    from storage.status import DeliveryStatus

    day_ago = now - timedelta(hours=24)
    total = repository.article_counts_by_outlet(session)
    recent = repository.article_counts_by_outlet(session, since=day_ago)
    alerts: dict[tuple[str, str], int] = {
        (slug, status): n
        for slug, status, n in session.execute(
            select(Outlet.slug, AlertDelivery.status, func.count())
            .join(WatchMatch, AlertDelivery.match_id == WatchMatch.id)
            .join(Article, WatchMatch.article_id == Article.id)
            .join(Outlet, Article.outlet_id == Outlet.id)
            .where(AlertDelivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.DISABLED)))
            .group_by(Outlet.slug, AlertDelivery.status)
        )
    }
    rows_by_slug = {o.slug: o for o in session.scalars(select(Outlet))}
    configured = [o.slug for o in cfg.outlets]
    slugs = configured + sorted(set(total) - set(configured))
    rows = []
    for slug in slugs:
        row = rows_by_slug.get(slug)
        state = health.outlet_health(session, row) if row is not None else None
        rows.append(
            {
                "outlet": slug,
                "enabled": slug in configured,
                "health": state.state if state else "never crawled",
                "last_crawl_at": iso(state.last_crawl_at if state else None, "seconds"),
                "last_crawl_status": state.last_crawl_status if state else None,
                "last_success_at": iso(state.last_success_at if state else None, "seconds"),
                "last_article_at": iso(state.last_article_at if state else None, "seconds"),
                "consecutive_failures": state.consecutive_failures if state else 0,
                "empty_share": round(state.empty_share, 3) if state and state.empty_share is not None else None,
                "articles": total.get(slug, 0),
                "articles_24h": recent.get(slug, 0),
                "alerts_pending": alerts.get((slug, DeliveryStatus.PENDING), 0),
                "alerts_failed": alerts.get((slug, DeliveryStatus.FAILED), 0)
                + alerts.get((slug, DeliveryStatus.DISABLED), 0),
                "next_crawl_at": iso(row.next_crawl_at, "seconds") if row is not None and slug in configured else None,
            }
        )
    return rows


def delivery_totals(session: Session) -> dict[str, int]:
    """Deliveries of every kind (instant, digest, system) by status."""
    from sqlalchemy import func, select

    from storage.models import AlertDelivery

    return {
        status: n
        for status, n in session.execute(
            select(AlertDelivery.status, func.count()).group_by(AlertDelivery.status)
        ).all()
    }


def format_status(rows: Sequence[Mapping[str, Any]], totals: Mapping[str, int], now: datetime) -> str:
    lines = [
        (
            r["outlet"],
            r["health"],
            f"{ago(r['last_crawl_at'], now)} {r['last_crawl_status'] or ''}".strip(),
            ago(r["last_success_at"], now),
            ago(r["last_article_at"], now),
            r["articles_24h"],
            r["articles"],
            r["alerts_pending"],
            r["alerts_failed"],
            ago(r["next_crawl_at"], now),
        )
        for r in rows
    ]
    summary = ", ".join(f"{n} {status}" for status, n in sorted(totals.items())) or "none yet"
    return table(STATUS_COLUMNS, lines) + f"\nalert deliveries (all kinds): {summary}"
