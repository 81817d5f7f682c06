"""Source health: is each outlet still crawled, still publishing, still extractable?

Silent failure is what users of other monitors complain about most, so each outlet's state is
computed from its crawl runs and articles, and problems become ``HealthIncident`` rows: an
incident opens once (one system alert) and closes once (one recovery alert).

Reads ``[health]``: ``failures_before_alert`` consecutive failed or timed-out crawls open a
``failing`` incident, as many consecutive ``unmatched`` crawls (links found, none an article
of the outlet: its ``article_pattern`` no longer fits) an ``unmatched`` one; no new article
for ``silence_factor`` times the outlet's usual gap (at least ``min_silence``, or the outlet's
own ``silence_after``) opens ``silent``; a share of empty extractions of at least
``empty_extraction_share`` over the last three crawls that fetched pages opens ``extraction``
(a layout change).
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Article, CrawlRun, HealthIncident, Outlet
from storage.status import CRAWL_FAILED, CRAWL_UNSUCCESSFUL, CrawlStatus

if TYPE_CHECKING:
    from config import HealthConfig


@dataclass(frozen=True)
class OutletHealth:
    slug: str
    last_crawl_at: datetime | None
    last_crawl_status: CrawlStatus | None
    last_success_at: datetime | None
    last_article_at: datetime | None
    consecutive_failures: int
    consecutive_unmatched: int
    empty_share: float | None
    open_incidents: tuple[str, ...]

    @property
    def state(self) -> str:
        if self.open_incidents:
            return ",".join(self.open_incidents)
        if self.last_crawl_at is None:
            return "never crawled"
        return "ok"


@dataclass(frozen=True)
class IncidentChange:
    outlet: str
    kind: str
    opened: bool  # False: the incident closed (recovered)
    detail: str


def outlet_health(session: Session, outlet: Outlet) -> OutletHealth:
    runs = session.scalars(
        select(CrawlRun)
        .where(CrawlRun.outlet_id == outlet.id, CrawlRun.status.notin_((CrawlStatus.RUNNING, CrawlStatus.INTERRUPTED)))
        .order_by(CrawlRun.id.desc())
        .limit(20)
    ).all()
    failures = _in_a_row(runs, CRAWL_FAILED)
    unmatched = _in_a_row(runs, {CrawlStatus.UNMATCHED})
    success = next((r for r in runs if r.status not in CRAWL_UNSUCCESSFUL), None)
    fetching = [r for r in runs if r.status not in CRAWL_FAILED and r.fetched > 0][:3]
    fetched = sum(r.fetched for r in fetching)
    empty_share = sum(r.extract_empty for r in fetching) / fetched if fetched else None
    last_article = session.scalar(select(func.max(Article.created_at)).where(Article.outlet_id == outlet.id))
    incidents = session.scalars(
        select(HealthIncident.kind).where(HealthIncident.outlet_id == outlet.id, HealthIncident.closed_at.is_(None))
    ).all()
    return OutletHealth(
        slug=outlet.slug,
        last_crawl_at=runs[0].started_at if runs else None,
        last_crawl_status=runs[0].status if runs else None,
        last_success_at=success.finished_at if success else None,
        last_article_at=last_article,
        consecutive_failures=failures,
        consecutive_unmatched=unmatched,
        empty_share=empty_share,
        open_incidents=tuple(sorted(incidents)),
    )


def _in_a_row(runs: Sequence[CrawlRun], statuses: Collection[CrawlStatus]) -> int:
    """How many of the newest ``runs`` (newest first) in a row ended with one of ``statuses``."""
    return sum(1 for _ in itertools.takewhile(lambda run: run.status in statuses, runs))


def usual_gap(session: Session, outlet: Outlet) -> timedelta | None:
    """Median time between the outlet's last 20 stored articles (None with too little history)."""
    times = session.scalars(
        select(Article.created_at).where(Article.outlet_id == outlet.id).order_by(Article.created_at.desc()).limit(21)
    ).all()
    if len(times) < 4:
        return None
    gaps = [(a - b).total_seconds() for a, b in itertools.pairwise(times)]
    return timedelta(seconds=statistics.median(gaps))


def evaluate(
    session: Session,
    outlet: Outlet,
    cfg: HealthConfig,
    now: datetime,
    silence_after: float | None = None,
) -> list[IncidentChange]:
    """Open and close this outlet's incidents; return what changed (for system alerts)."""
    health = outlet_health(session, outlet)
    problems: dict[str, str] = {}
    if health.consecutive_failures >= cfg.failures_before_alert:
        last = session.scalar(
            select(CrawlRun.error).where(CrawlRun.outlet_id == outlet.id).order_by(CrawlRun.id.desc()).limit(1)
        )
        problems["failing"] = f"{health.consecutive_failures} crawls in a row failed (last error: {last or 'unknown'})"
    if health.consecutive_unmatched >= cfg.failures_before_alert:
        last = session.scalar(
            select(CrawlRun.error).where(CrawlRun.outlet_id == outlet.id).order_by(CrawlRun.id.desc()).limit(1)
        )
        problems["unmatched"] = (
            f"{health.consecutive_unmatched} crawls in a row kept none of the links they found "
            f"(last: {last or 'unknown'})"
        )
    if health.empty_share is not None and health.empty_share >= cfg.empty_extraction_share:
        problems["extraction"] = (
            f"{health.empty_share:.0%} of fetched pages gave no article text in the last crawls "
            "(the site's layout may have changed)"
        )
    if health.last_article_at is not None:
        if silence_after is not None:
            limit = timedelta(seconds=silence_after)
        else:
            gap = usual_gap(session, outlet)
            limit = max(timedelta(seconds=cfg.min_silence), gap * cfg.silence_factor if gap else timedelta(0))
        silent_for = now - health.last_article_at
        if silent_for > limit:
            problems["silent"] = f"no new article for {_human(silent_for)} (usually within {_human(limit)})"
    changes: list[IncidentChange] = []
    open_rows = {
        row.kind: row
        for row in session.scalars(
            select(HealthIncident).where(HealthIncident.outlet_id == outlet.id, HealthIncident.closed_at.is_(None))
        )
    }
    for kind, detail in problems.items():
        if kind not in open_rows:
            session.add(HealthIncident(outlet_id=outlet.id, kind=kind, detail=detail, opened_at=now))
            changes.append(IncidentChange(outlet.slug, kind, True, detail))
    for kind, row in open_rows.items():
        if kind not in problems:
            row.closed_at = now
            changes.append(IncidentChange(outlet.slug, kind, False, f"recovered after {_human(now - row.opened_at)}"))
    session.flush()
    return changes


def _human(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 2 * 3600:
        return f"{seconds // 3600} hours"
    if seconds >= 120:
        return f"{seconds // 60} minutes"
    return f"{seconds} seconds"
