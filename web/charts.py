"""Small charts drawn on the server as inline SVG: no script, no chart library.

One chart per outlet: articles stored per day (bars) above crawls per day stacked by outcome.
Colours come from the stylesheet through class names (a Content-Security-Policy without
inline styles still applies them); every bar has a ``<title>`` so hovering shows its figure,
and the chart carries a text summary for screen readers.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from markupsafe import Markup, escape

from storage.browse import Activity
from storage.status import CrawlStatus

# Stacked from the bottom in this order.
OUTCOMES = tuple(CrawlStatus(s) for s in ("ok", "partial", "interrupted", "unmatched", "timeout", "failed", "running"))


def activity_chart(activity: Activity, label: str, width: int = 420, height: int = 150) -> Markup:
    days = activity.days
    if not days:
        return Markup("")
    pad, gap = 4.0, 2.0
    top_h = height * 0.55
    bottom_y = top_h + 22
    bottom_h = height - bottom_y - 14
    slot = (width - 2 * pad) / len(days)
    bar_w = max(slot - gap, 1.0)
    most_articles = max([activity.articles.get(d, 0) for d in days] + [1])
    most_crawls = max([sum(activity.crawls.get(d, Counter()).values()) for d in days] + [1])
    total_articles = sum(activity.articles.get(d, 0) for d in days)
    total_crawls: Counter[str] = Counter()
    for d in days:
        total_crawls.update(activity.crawls.get(d, Counter()))
    summary = (
        f"{label}: {total_articles} articles stored and "
        + (", ".join(f"{n} {s}" for s, n in sorted(total_crawls.items())) or "no")
        + f" crawls from {days[0]:%d %b} to {days[-1]:%d %b}"
    )
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(summary)}">',
        f"<title>{escape(summary)}</title>",
        f'<text class="chart-label" x="{pad}" y="10">articles per day (max {most_articles})</text>',
        f'<text class="chart-label" x="{pad}" y="{top_h + 19:.1f}">crawls per day by outcome</text>',
    ]
    for i, day in enumerate(days):
        x = pad + i * slot
        n = activity.articles.get(day, 0)
        h = (top_h - 14) * n / most_articles
        parts.append(
            f'<rect class="bar-articles" x="{x:.1f}" y="{top_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}">'
            f"<title>{_day(day)}: {n} articles</title></rect>"
        )
        y = bottom_y + bottom_h
        crawls = activity.crawls.get(day, Counter())
        for outcome in sorted(crawls, key=_outcome_order):
            count = crawls[outcome]
            h = bottom_h * count / most_crawls
            y -= h
            parts.append(
                f'<rect class="crawl-{escape(outcome)}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}"><title>{_day(day)}: {count} {escape(outcome)}</title></rect>'
            )
    parts.append(f'<text class="chart-axis" x="{pad}" y="{height - 2}">{days[0]:%d %b}</text>')
    parts.append(
        f'<text class="chart-axis" x="{width - pad}" y="{height - 2}" text-anchor="end">{days[-1]:%d %b}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def _outcome_order(outcome: str) -> int:
    return OUTCOMES.index(outcome) if outcome in OUTCOMES else len(OUTCOMES)


def _day(day: date) -> str:
    return f"{day:%a %d %b}"
