"""``/metrics`` in the Prometheus text format, read from the database at scrape time.

A custom collector (``prometheus_client``'s documented pattern for values that live
elsewhere) runs a handful of grouped queries per scrape, so the figures are the database's,
whichever process crawled or sent: the daemon, ``run.py crawl``, ``import`` or ``alerts send``.
The serving process's own memory and CPU come from the client's process collector.

Metrics: ``newswatch_crawls_total{outlet,status}``, ``newswatch_articles_stored_total{outlet}``,
``newswatch_duplicates_total{outlet}`` (duplicates the outlet's crawls found),
``newswatch_stories``, ``newswatch_deliveries{channel,status}``, ``newswatch_alert_queue_depth``,
``newswatch_alert_oldest_pending_age_seconds``,
``newswatch_outlet_last_success_timestamp_seconds{outlet}``,
``newswatch_daemon_heartbeat_timestamp_seconds`` (when a daemon ever ran).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from storage import browse, heartbeat


class DatabaseCollector(Collector):
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        now = self.clock()
        with self.sessions() as session:
            totals = browse.totals(session)
            alive = heartbeat.liveness(session, now)
        crawls = CounterMetricFamily("newswatch_crawls", "Crawl runs by outcome", labels=["outlet", "status"])
        for (outlet, status), n in sorted(totals.crawls.items()):
            crawls.add_metric([outlet, status], n)
        yield crawls
        articles = CounterMetricFamily("newswatch_articles_stored", "Articles stored", labels=["outlet"])
        for outlet, n in sorted(totals.articles.items()):
            articles.add_metric([outlet], n)
        yield articles
        duplicates = CounterMetricFamily(
            "newswatch_duplicates", "Duplicate articles found by the outlet's crawls", labels=["outlet"]
        )
        for outlet, n in sorted(totals.duplicates.items()):
            duplicates.add_metric([outlet], n)
        yield duplicates
        yield GaugeMetricFamily("newswatch_stories", "Stories stored", value=totals.stories)
        deliveries = GaugeMetricFamily(
            "newswatch_deliveries", "Alert deliveries by channel and status", labels=["channel", "status"]
        )
        for (channel, status), n in sorted(totals.deliveries.items()):
            deliveries.add_metric([channel, status], n)
        yield deliveries
        yield GaugeMetricFamily("newswatch_alert_queue_depth", "Deliveries waiting to be sent", value=totals.pending)
        age = (now - totals.oldest_pending).total_seconds() if totals.oldest_pending else 0.0
        yield GaugeMetricFamily(
            "newswatch_alert_oldest_pending_age_seconds",
            "Age of the oldest delivery waiting to be sent (0 when none waits)",
            value=max(age, 0.0),
        )
        success = GaugeMetricFamily(
            "newswatch_outlet_last_success_timestamp_seconds",
            "When the outlet's last crawl that did not fail ended (Unix time)",
            labels=["outlet"],
        )
        for outlet, at in sorted(totals.last_success.items()):
            success.add_metric([outlet], at.timestamp())
        yield success
        if alive.beat_at is not None:
            yield GaugeMetricFamily(
                "newswatch_daemon_heartbeat_timestamp_seconds",
                "The daemon's last heartbeat (Unix time)",
                value=alive.beat_at.timestamp(),
            )


def registry(sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> CollectorRegistry:
    """A registry of its own (not the client's global one): one per console app."""
    found = CollectorRegistry()
    found.register(DatabaseCollector(sessions, clock))
    ProcessCollector(registry=found)
    return found
