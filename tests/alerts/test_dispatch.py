"""The dispatcher survives outages: a receiver that is down, slow, failing or whose sender is
killed mid-request still gets each alert, once, with the same webhook-id on every try."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from alerts.deliveries import recover_interrupted, requeue
from alerts.dispatch import Dispatcher
from app import App, build_app
from sandbox import WebhookReceiver
from storage.models import AlertDelivery, DeliveryAttempt
from storage.status import DeliveryStatus
from tests.alerts.helpers import ENV, alert_config, record
from tests.helpers import ROOT, RunCli, make_config, wait_until


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver()
    yield r
    r.stop()


def build(database_url: str, receiver: WebhookReceiver, **kw: Any) -> App:
    return build_app(make_config(alert_config(database_url, receiver.url, **kw), env=ENV))


def delivery(app: App) -> AlertDelivery:
    with app.sessions() as s:
        d = s.scalars(select(AlertDelivery).where(AlertDelivery.kind == "instant")).one()
        d.attempt_log  # noqa: B018 (load the attempts while the session is open)
        return d


def until_done(dispatcher: Dispatcher, app: App, start: datetime, passes: int = 20) -> datetime:
    """Run dispatch passes, jumping the clock to each retry time, until nothing is pending."""
    now = start
    for _ in range(passes):
        dispatcher.dispatch_due(now)
        d = delivery(app)
        if d.status != DeliveryStatus.PENDING:
            return now
        now = max(now, d.next_attempt_at) + timedelta(seconds=1)
    raise AssertionError("delivery still pending")


def test_receiver_down_then_up_gets_the_alert_exactly_once(sqlite_url: str, receiver: WebhookReceiver) -> None:
    app = build(sqlite_url, receiver)
    dispatcher = app.dispatcher()
    app.ingestor().ingest(record())
    now = datetime.now(UTC)
    for _ in range(3):  # connection refused, three times
        dispatcher.dispatch_due(now)
        now = delivery(app).next_attempt_at + timedelta(seconds=1)
    d = delivery(app)
    assert d.status == DeliveryStatus.PENDING and d.attempts == 3
    assert all(
        not a.ok and (a.error or "").startswith(f"cannot reach {receiver.url}: ConnectError") for a in d.attempt_log
    )
    gaps = [(b.at - a.at).total_seconds() for a, b in zip(d.attempt_log, d.attempt_log[1:], strict=False)]
    assert 15 <= gaps[0] <= 46 and 30 <= gaps[1] <= 91  # 30 s, then 60 s, each with jitter (0.5x to 1.5x)

    receiver.start()
    dispatcher.dispatch_due(d.next_attempt_at - timedelta(seconds=1))  # not due yet: nothing is sent early
    assert receiver.requests == []
    until_done(dispatcher, app, now)
    for _ in range(3):
        dispatcher.dispatch_due(now + timedelta(hours=2))
    assert len(receiver.requests) == 1 and list(receiver.accepted) == [d.id]
    assert delivery(app).status == DeliveryStatus.DELIVERED


def test_receiver_failing_for_a_while_gets_the_alert_once_with_one_id(
    database_url: str, receiver: WebhookReceiver
) -> None:
    receiver.fail_next = 4
    receiver.start()
    app = build(database_url, receiver)
    app.ingestor().ingest(record())
    until_done(app.dispatcher(), app, datetime.now(UTC))
    d = delivery(app)
    assert d.status == DeliveryStatus.DELIVERED and d.attempts == 5
    assert [a.status_code for a in d.attempt_log] == [500, 500, 500, 500, 200]
    assert "HTTP 500" in (d.attempt_log[0].error or "")
    assert {r.id for r in receiver.requests} == {d.id} and len(receiver.accepted) == 1


def test_slow_receiver_times_out_then_gets_the_alert_once(sqlite_url: str, receiver: WebhookReceiver) -> None:
    receiver.mode, receiver.slow_seconds = "slow", 1.5
    receiver.start()
    app = build(sqlite_url, receiver, channels={"hook": {"timeout": "0.3s"}})
    dispatcher = app.dispatcher()
    app.ingestor().ingest(record())
    now = datetime.now(UTC)
    dispatcher.dispatch_due(now)
    d = delivery(app)
    assert d.status == DeliveryStatus.PENDING and d.attempt_log[0].error == "no answer within 0.3s (ReadTimeout)"
    receiver.mode = "ok"
    until_done(dispatcher, app, d.next_attempt_at + timedelta(seconds=1))
    assert {r.id for r in receiver.requests} == {d.id} and len(receiver.accepted) == 1


def test_after_retry_for_the_delivery_fails_and_retry_requeues_it(sqlite_url: str, receiver: WebhookReceiver) -> None:
    receiver.mode = "error"
    receiver.start()
    app = build(sqlite_url, receiver)
    dispatcher = app.dispatcher()
    app.ingestor().ingest(record())
    start = datetime.now(UTC)
    end = until_done(dispatcher, app, start, passes=100)
    d = delivery(app)
    assert d.status == DeliveryStatus.FAILED and end - start >= timedelta(hours=24)
    assert d.retry_until is not None and d.attempt_log[-1].at >= d.retry_until
    gaps = [(b.at - a.at).total_seconds() for a, b in zip(d.attempt_log, d.attempt_log[1:], strict=False)]
    assert max(gaps) <= 3600 * 1.5  # never more than an hour and a half apart (jittered)
    receiver.mode = "ok"
    assert requeue(app.sessions) == [d.id]
    assert dispatcher.dispatch_due().delivered == 1
    assert list(receiver.accepted) == [d.id]


def test_killed_between_sending_and_recording_the_retry_carries_the_same_id(
    tmp_path: Path, receiver: WebhookReceiver
) -> None:
    receiver.mode = "hold"
    receiver.start()
    url = f"sqlite:///{tmp_path / 'newswatch.db'}"
    app = build(url, receiver)
    app.ingestor().ingest(record())
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\ndatabase_url = "{url}"\n'
        f'[channels.hook]\ntype = "webhook"\nurl = "{receiver.url}"\nsecret_env = "HOOK_SECRET"\n'
        '[watches.w]\nquery = "Malaysia"\nchannels = ["hook"]\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")} | ENV
    sender = subprocess.Popen(
        [sys.executable, str(ROOT / "run.py"), "--config", str(config), "alerts", "send"], env=env, cwd=ROOT
    )
    try:
        assert receiver.got_request.wait(30), "the dispatcher subprocess never sent the webhook"
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait(10)
    finally:
        sender.kill()
    receiver.release.set()  # the receiver processes the first request; its answer reaches nobody
    d = delivery(app)
    assert d.status == DeliveryStatus.PENDING and d.attempt_log == []  # sent, never recorded
    receiver.mode = "ok"
    # After the claim's lease the delivery is due again and goes out with the same id.
    counts = app.dispatcher().dispatch_due(datetime.now(UTC) + timedelta(minutes=6))
    assert counts.delivered == 1
    assert [r.id for r in receiver.requests] == [d.id, d.id]
    assert len(receiver.accepted) == 1  # the receiver dropped the duplicate by its webhook-id
    with app.sessions() as s:
        assert len(s.scalars(select(DeliveryAttempt)).all()) == 1


def test_a_send_interrupted_by_a_kill_goes_out_again_at_restart_without_waiting_for_the_lease(
    sqlite_url: str, receiver: WebhookReceiver
) -> None:
    receiver.start()
    app = build(sqlite_url, receiver)
    app.ingestor().ingest(record())
    dispatcher = app.dispatcher()
    first = delivery(app)
    assert dispatcher._claim(first.id, datetime.now(UTC))  # what a process does just before it dies mid-send
    assert app.dispatcher().dispatch_due().delivered == 0  # the lease holds it back...
    assert recover_interrupted(app.sessions) == [first.id]  # ...until the restarted daemon releases it
    assert recover_interrupted(app.sessions) == []
    assert app.dispatcher().dispatch_due().delivered == 1
    d = delivery(app)
    assert d.status == DeliveryStatus.DELIVERED and [a.ok for a in d.attempt_log] == [False, True]
    assert "interrupted" in (d.attempt_log[0].error or "")
    assert list(receiver.accepted) == [first.id]


def test_one_dead_channel_does_not_hold_back_another(sqlite_url: str, receiver: WebhookReceiver) -> None:
    receiver.start()
    data = alert_config(sqlite_url, receiver.url)
    data["channels"]["dead"] = {"type": "webhook", "url": "http://127.0.0.1:9/none", "timeout": "1s", "unsigned": True}
    data["watches"]["vn-my"]["channels"] = ["dead", "hook"]
    app = build_app(make_config(data, env=ENV))
    for n in range(6):
        app.ingestor().ingest(record(n, title=f"Vietnam and Malaysia talks, round {n}"))
    counts = app.dispatcher().dispatch_due()
    assert counts.delivered == 6 and len(receiver.accepted) == 6
    # The dead endpoint was tried once per worker, then left for the next pass.
    with app.sessions() as s:
        dead = s.scalars(select(DeliveryAttempt).join(AlertDelivery).where(AlertDelivery.channel == "dead")).all()
    assert 1 <= len(dead) <= 4 and counts.retrying == len(dead)


def test_cli_test_list_retry_send(tmp_path: Path, receiver: WebhookReceiver, run_cli: RunCli) -> None:
    receiver.start()
    url = f"sqlite:///{tmp_path / 'newswatch.db'}"
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\ndatabase_url = "{url}"\n'
        f'[channels.hook]\ntype = "webhook"\nurl = "{receiver.url}"\nsecret_env = "HOOK_SECRET"\n'
        '[watches.w]\nquery = "Malaysia"\nchannels = ["hook"]\n'
    )
    cli = ("--config", str(config), "alerts")
    ok = run_cli(*cli, "test", "hook", env=ENV)
    assert ok.returncode == 0 and "test message sent to hook over plain HTTP (no encryption), signed" in ok.stdout
    assert receiver.requests[-1].json()["type"] == "test"

    receiver.mode = "error"
    bad = run_cli(*cli, "test", "hook", env=ENV)
    assert bad.returncode == 1
    assert "error: test message to hook failed: HTTP 500 Internal Server Error" in bad.stderr

    # A matching article whose webhook keeps failing until the delivery gives up (in-process,
    # with the clock jumped forward: the CLI has no clock to jump).
    app = build_app(
        make_config(
            {
                "storage": {"database_url": url},
                "channels": {"hook": {"type": "webhook", "url": receiver.url, "unsigned": True}},
                "watches": {"w": {"query": "Malaysia", "channels": ["hook"]}},
                "alerts": {"retry_for": "1s"},
            }
        )
    )
    app.ingestor().ingest(record())
    until_done(app.dispatcher(), app, datetime.now(UTC))
    listed = run_cli(*cli, "list", "--failed", "--json", env=ENV)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    instant = [r for r in rows if r["kind"] == "instant"]
    assert len(instant) == 1 and instant[0]["status"] == "failed"
    assert [a["status_code"] for a in instant[0]["attempt_log"]] == [500, 500]  # the first, then at retry_for
    human = run_cli(*cli, "list", "--failed", env=ENV)
    assert instant[0]["id"] in human.stdout and "last error: HTTP 500 Internal Server Error" in human.stdout

    receiver.mode = "ok"
    retried = run_cli(*cli, "retry", instant[0]["id"], env=ENV)
    assert retried.returncode == 0 and "re-queued 1" in retried.stdout
    third = run_cli(*cli, "send", env=ENV)
    assert "delivered 1" in third.stdout
    assert instant[0]["id"] in receiver.accepted


def test_a_slow_channel_does_not_delay_new_alerts_on_another(sqlite_url: str, receiver: WebhookReceiver) -> None:
    from alerts.notify import DispatchLoop

    slow = WebhookReceiver(mode="hold").start()
    receiver.start()
    try:
        data = alert_config(sqlite_url, receiver.url)
        data["channels"]["slow"] = {"type": "webhook", "url": slow.url, "secret_env": "HOOK_SECRET", "timeout": "30s"}
        data["watches"]["vn-my"]["channels"] = ["slow", "hook"]
        app = build_app(make_config(data, env=ENV))
        loop = DispatchLoop(app.dispatcher(), interval=60)  # only wake-ups, as after each commit
        app.wake_dispatcher = loop.wake
        loop.start()
        try:
            app.ingestor().ingest(record(1))
            assert slow.got_request.wait(10)
            app.ingestor().ingest(record(2, title="Vietnam and Malaysia coast guards meet"))
            wait_until(  # the second alert reaches the healthy channel...
                lambda: len(receiver.accepted), "both alerts on the healthy channel", until=lambda n: n == 2, timeout=10
            )
            assert len(slow.requests) == 1 and slow.requests[0].answered is None  # ...while the slow one still holds
            slow.release.set()
            wait_until(  # once free, the slow channel gets its second alert without waiting 60 s
                lambda: len(slow.accepted), "the second alert on the freed channel", until=lambda n: n == 2, timeout=10
            )
        finally:
            slow.release.set()
            loop.stop(timeout=10)
    finally:
        slow.stop()
