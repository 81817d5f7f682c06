"""Several dispatchers on one database: each delivery goes out once, a live dispatcher's sends
are never taken over, a backlog is not held back by the batch size, and on PostgreSQL a new
alert wakes a listening dispatcher at once (NOTIFY) instead of waiting for its periodic pass.

Each dispatcher here has its own engine (its own connections), as separate processes would;
the processes themselves are tested with the dispatch role (tests/cluster).
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text

from alerts.dispatch import DispatchCounts
from alerts.notify import DispatchLoop, Listener
from alerts.outbox import enqueue_system_alert
from app import App, build_app
from sandbox import WebhookReceiver
from storage.models import AlertDelivery
from tests.alerts.helpers import ENV, alert_config, record
from tests.helpers import RunCli, make_config, wait_until


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver(keep_alive=True).start()
    yield r
    r.release.set()
    r.stop()


def build(database_url: str, receiver: WebhookReceiver, **kw: Any) -> App:
    return build_app(make_config(alert_config(database_url, receiver.url, **kw), env=ENV))


def queue(app: App, count: int) -> list[str]:
    """``count`` operator messages to the webhook channel, queued in one transaction."""
    with app.sessions.begin() as session:
        return [
            delivery_id
            for n in range(count)
            for delivery_id in enqueue_system_alert(session, ["hook"], f"message {n}", "text", f"test/{n}")
        ]


def statuses(app: App) -> Counter[str]:
    with app.sessions() as session:
        return Counter(str(s) for s in session.scalars(select(AlertDelivery.status)))


@pytest.mark.slow  # 500 deliveries through three dispatchers, on each database
def test_three_dispatchers_send_500_deliveries_once_each(database_url: str, receiver: WebhookReceiver) -> None:
    # Three dispatchers and the receiver share two cores: a generous send timeout (one that ran
    # out is retried later, not in this pass) keeps the test about "each once", not about load.
    apps = [build(database_url, receiver, channels={"hook": {"timeout": "30s"}}) for _ in range(3)]
    ids = queue(apps[0], 500)
    dispatchers = [app.dispatcher() for app in apps]
    barrier = threading.Barrier(3)
    totals: list[Any] = [None] * 3

    def run(i: int) -> None:
        barrier.wait()
        totals[i] = dispatchers[i].dispatch_due()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    sent = Counter(r.id for r in receiver.requests)
    assert set(sent) == set(ids) and len(ids) == 500
    assert max(sent.values()) == 1  # none twice
    assert sum(t.delivered for t in totals) == 500
    assert statuses(apps[0]) == {"delivered": 500}
    for d in dispatchers:
        d.close()
    for app in apps:
        app.close()


@pytest.mark.slow  # waits out a 3 s lease
def test_a_live_dispatchers_slow_send_is_never_taken_over_after_its_lease(
    postgres_url: str, receiver: WebhookReceiver
) -> None:
    receiver.mode = "hold"  # the receiver answers when the test says so
    first_app, second_app = (
        build(postgres_url, receiver, alerts={"lease": "3s"}, channels={"hook": {"timeout": "30s"}}) for _ in range(2)
    )  # a send that outlasts the lease
    [delivery_id] = queue(first_app, 1)
    first, second = first_app.dispatcher(), second_app.dispatcher()
    done = threading.Thread(target=first.dispatch_due)
    done.start()
    assert receiver.got_request.wait(60)

    def lease_end() -> datetime:
        with first_app.sessions() as session:
            return session.scalars(select(AlertDelivery.next_attempt_at)).one()

    claimed_until = lease_end()
    # The first dispatcher is alive and renews its lease while the receiver holds the request.
    wait_until(lease_end, "the lease renewed", until=lambda at: at > claimed_until, timeout=60)
    past = wait_until(  # the first lease is over...
        lambda: datetime.now(UTC), "the claim's first lease over", until=lambda now: now > claimed_until
    )
    assert lease_end() > past  # ...but the renewals hold the delivery
    assert second.dispatch_due() == DispatchCounts()  # nothing due for the second dispatcher
    receiver.release.set()
    done.join(30)
    assert [r.id for r in receiver.requests] == [delivery_id]
    assert statuses(first_app) == {"delivered": 1}
    with first_app.sessions() as session:
        assert session.scalars(select(AlertDelivery.claimed_by)).one() is None
    first.close()
    second.close()


def test_a_dead_dispatchers_claims_come_due_when_the_lease_ends(database_url: str, receiver: WebhookReceiver) -> None:
    app = build(database_url, receiver)
    ids = queue(app, 5)
    dead = app.dispatcher()
    at = datetime.now(UTC)
    assert sorted(c.id for c in dead._claim_batch(at, exclude=set())) == sorted(ids)  # then it dies
    survivor = build(database_url, receiver).dispatcher()
    assert survivor.dispatch_due(at + timedelta(seconds=5)).delivered == 0  # held by the lease
    lease = timedelta(seconds=float(app.config.alerts.lease))
    assert survivor.dispatch_due(at + lease + timedelta(seconds=1)).delivered == 5
    assert sorted(r.id for r in receiver.requests) == sorted(ids)  # the same ids


@pytest.mark.slow  # 250 webhook sends
def test_a_backlog_larger_than_a_batch_leaves_without_waiting_for_the_interval(
    sqlite_url: str, receiver: WebhookReceiver
) -> None:
    app = build(sqlite_url, receiver)
    ids = queue(app, 250)
    dispatcher = app.dispatcher()
    assert dispatcher.batch < 250
    loop = DispatchLoop(dispatcher, interval=600)  # one pass at start; then only wake-ups
    loop.start()
    try:
        wait_until(lambda: len(receiver.accepted), "250 deliveries", until=lambda n: n == 250, timeout=60)
    finally:
        loop.stop(timeout=30)
    assert sorted(receiver.accepted) == sorted(ids) and len(receiver.requests) == 250


@pytest.mark.slow  # waits for a cut listening connection to come back
def test_a_new_alert_wakes_a_listening_dispatcher_at_once(postgres_url: str, receiver: WebhookReceiver) -> None:
    dispatching = build(postgres_url, receiver)  # the dispatcher's process...
    loop = DispatchLoop(dispatching.dispatcher(), interval=600)  # ...whose periodic pass would be 10 min away
    listener = Listener(postgres_url, loop.wake)
    loop.start()
    listener.start()
    crawling = build(postgres_url, receiver)  # ...and another process that stores an article
    try:
        wait_until(lambda: listener.connections, "the dispatcher listening", until=lambda n: n == 1, timeout=60)
        crawling.ingestor().ingest(record())
        wait_until(lambda: len(receiver.accepted), "the alert sent", until=lambda n: n == 1, timeout=60)

        # The listening connection is cut (PostgreSQL restarted, a network blip): it comes back,
        # and alerts queued meanwhile or later still wake the dispatcher.
        engine = create_engine(postgres_url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND query = :q"
                ),
                {"q": "LISTEN newswatch_deliveries"},
            )
        engine.dispose()
        wait_until(lambda: listener.connections, "the dispatcher listening again", until=lambda n: n == 2, timeout=60)
        queue(crawling, 1)
        wait_until(lambda: len(receiver.accepted), "the second alert sent", until=lambda n: n == 2, timeout=60)
    finally:
        listener.stop(timeout=10)
        loop.stop(timeout=10)


def test_alerts_list_shows_which_dispatcher_is_sending_a_delivery(
    tmp_path: Path, receiver: WebhookReceiver, run_cli: RunCli
) -> None:
    receiver.mode = "hold"
    url = f"sqlite:///{tmp_path / 'newswatch.db'}"
    app = build(url, receiver, channels={"hook": {"timeout": "30s"}})
    [delivery_id] = queue(app, 1)
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\ndatabase_url = "{url}"\n')
    dispatcher = app.dispatcher()
    sending = threading.Thread(target=dispatcher.dispatch_due)
    sending.start()
    try:
        assert receiver.got_request.wait(10)
        listed = run_cli("--config", str(config), "alerts", "list")
        assert f"being sent by dispatcher {dispatcher.name} (its lease runs to " in listed.stdout
        listed_json = run_cli("--config", str(config), "alerts", "list", "--json")
        [row] = [json.loads(line) for line in listed_json.stdout.splitlines()]
        assert row["id"] == delivery_id and row["claimed_by"] == dispatcher.name
    finally:
        receiver.release.set()
        sending.join(30)
    listed = run_cli("--config", str(config), "alerts", "list")
    assert "delivered" in listed.stdout and "being sent" not in listed.stdout


@pytest.mark.slow  # hundreds of deliveries claimed by racing dispatchers
def test_dispatchers_claiming_at_once_take_disjoint_batches_of_at_most_batch_size(
    database_url: str, receiver: WebhookReceiver
) -> None:
    apps = [build(database_url, receiver) for _ in range(3)]
    queue(apps[0], 500)
    dispatchers = [app.dispatcher() for app in apps]
    barrier = threading.Barrier(3)
    claims: list[list[str]] = [[] for _ in range(3)]
    at = datetime.now(UTC)

    def claim(i: int) -> None:
        barrier.wait()
        claims[i] = [c.id for c in dispatchers[i]._claim_batch(at, exclude=set())]

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # A dispatcher's share of a backlog is one batch at a time, so N dispatchers share it...
    batch = dispatchers[0].batch
    assert all(len(c) <= batch for c in claims) and sum(map(len, claims)) == len(set().union(*claims))
    if database_url.startswith("postgresql"):  # ...each a whole batch: SKIP LOCKED passes over the others'
        assert [len(c) for c in claims] == [batch] * 3
    for d in dispatchers:
        d.close()
