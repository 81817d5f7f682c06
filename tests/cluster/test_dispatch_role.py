"""``run.py run --role dispatch``, N at once on one PostgreSQL database, as an operator runs them.

What a user would notice: 500 pending alerts reach the receiver once each with three
dispatchers racing for them; a dispatcher killed with ``kill -9`` in the middle of a slow
webhook loses nothing (each alert arrives once, or twice with the same id), and a live one's
slow sends are never taken over by the others; a new alert leaves at once (NOTIFY), not at the
next periodic pass; SIGTERM hands back what a dispatcher claimed and exits 0.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts.outbox import enqueue_system_alert
from app import App
from sandbox import WebhookReceiver
from sandbox.webhook import SECRET
from storage.models import AlertDelivery
from tests.helpers import DaemonProcess, make_config, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres]  # dispatcher processes

ENV = {"HOOK_SECRET": SECRET}
PASSES = timedelta(seconds=2)  # two passes at dispatch_interval = 1s


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver(keep_alive=True).start()
    yield r
    r.release.set()
    r.stop()


def settings(url: str, hook: str, interval: str) -> dict[str, dict[str, object]]:
    return {
        "storage": {"database_url": url},
        "outlets": {"enabled": []},
        "schedule": {"dispatch_interval": interval},
        "alerts": {"lease": "3s"},
        "channels": {"hook": {"type": "webhook", "url": hook, "secret_env": "HOOK_SECRET", "timeout": "30s"}},
    }


def write_config(tmp_path: Path, url: str, hook: str, interval: str = "1s") -> Path:
    text = (
        f'[storage]\ndatabase_url = "{url}"\n[outlets]\nenabled = []\n'
        f'[schedule]\ndispatch_interval = "{interval}"\n[alerts]\nlease = "3s"\n'
        f'[channels.hook]\ntype = "webhook"\nurl = "{hook}"\nsecret_env = "HOOK_SECRET"\ntimeout = "30s"\n'
    )
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


class Dispatchers:
    """``count`` dispatch roles, started together, each listening before the test goes on."""

    def __init__(self, tmp_path: Path, config: Path, count: int) -> None:
        self.procs = [
            DaemonProcess("--config", str(config), "run", "--role", "dispatch", env=ENV, log_dir=tmp_path)
            for _ in range(count)
        ]
        for proc in self.procs:
            proc.wait_for_log("listening for new deliveries", timeout=90)

    def logs(self) -> str:
        return "\n".join(p.log()[-1500:] for p in self.procs)

    def alive(self) -> bool:
        return all(p.running() for p in self.procs)

    def kill(self) -> None:
        for p in self.procs:
            p.kill()


def app_for(url: str, hook: str) -> App:
    return App(make_config(settings(url, hook, "1s"), env=ENV))  # the schema: migrated by the roles


def queue(app: App, count: int) -> list[str]:
    """``count`` operator messages to the webhook, queued in one transaction (one NOTIFY)."""
    with app.sessions.begin() as session:
        return [
            delivery_id
            for n in range(count)
            for delivery_id in enqueue_system_alert(session, ["hook"], f"message {n}", "text", f"test/{n}")
        ]


def rows(app: App) -> list[tuple[str, str, str | None]]:
    with app.sessions() as session:
        return [
            (i, str(s), c)
            for i, s, c in session.execute(select(AlertDelivery.id, AlertDelivery.status, AlertDelivery.claimed_by))
        ]


def test_three_dispatchers_send_500_pending_alerts_once_each_and_stop_cleanly(
    tmp_path: Path, postgres_url: str, receiver: WebhookReceiver
) -> None:
    config = write_config(tmp_path, postgres_url, receiver.url)
    dispatchers = Dispatchers(tmp_path, config, 3)
    try:
        app = app_for(postgres_url, receiver.url)
        ids = queue(app, 500)
        wait_until(
            lambda: len(receiver.accepted), "500 alerts", until=lambda n: n == 500, timeout=120,
            alive=dispatchers.alive, context=dispatchers.logs,
        )  # fmt: skip
        sent = Counter(r.id for r in receiver.requests)
        assert sorted(sent) == sorted(ids) and set(sent.values()) == {1}  # 500 distinct ids, none twice
        wait_until(
            lambda: Counter(status for _, status, _ in rows(app)), "every delivery recorded",
            until=lambda c: c == {"delivered": 500}, alive=dispatchers.alive, context=dispatchers.logs,
        )  # fmt: skip
        assert [p.stop(signal.SIGTERM) for p in dispatchers.procs] == [0, 0, 0]
        assert all("role dispatch stopped" in p.log() for p in dispatchers.procs)
        app.close()
    finally:
        dispatchers.kill()


def test_kill_9_during_a_slow_webhook_loses_nothing_and_a_live_dispatcher_is_never_taken_over(
    tmp_path: Path, postgres_url: str, receiver: WebhookReceiver
) -> None:
    receiver.mode = "hold"  # a slow receiver: it answers when the test says so
    config = write_config(tmp_path, postgres_url, receiver.url)
    dispatchers = Dispatchers(tmp_path, config, 2)
    try:
        app = app_for(postgres_url, receiver.url)
        ids = queue(app, 20)
        claims = wait_until(
            lambda: rows(app), "every delivery claimed", until=lambda r: all(c for _, _, c in r), timeout=30,
            alive=dispatchers.alive, context=dispatchers.logs,
        )  # fmt: skip
        wait_until(lambda: len(receiver.requests), "sends in flight", until=lambda n: n >= 1, timeout=30)
        with app.sessions() as session:
            first_lease = max(session.scalars(select(AlertDelivery.next_attempt_at)))
        # Two periodic passes past the claims' first lease, the live holder, which renews them,
        # still has every one: nobody took one over or sent a copy.
        wait_until(
            lambda: datetime.now(UTC), "two passes after the first lease", until=lambda now: now > first_lease + PASSES
        )
        assert sorted(rows(app)) == sorted(claims)
        in_flight = Counter(r.id for r in receiver.requests)
        assert set(in_flight.values()) == {1}

        holder_pid = Counter(int(c.split(":")[1].split("/")[0]) for _, _, c in claims if c).most_common(1)[0][0]
        holder = next(p for p in dispatchers.procs if p.proc.pid == holder_pid)
        os.kill(holder_pid, signal.SIGKILL)
        holder.proc.wait(10)
        receiver.mode = "ok"
        receiver.release.set()  # the held requests are answered; their sender is gone

        survivor = next(p for p in dispatchers.procs if p is not holder)
        survivor.wait(
            lambda: Counter(status for _, status, _ in rows(app)), "every delivery sent by the survivor",
            until=lambda c: c == {"delivered": 20}, timeout=60,
        )  # fmt: skip
        sent = Counter(r.id for r in receiver.requests)
        assert sorted(sent) == sorted(ids)  # none lost
        assert set(sent.values()) <= {1, 2}  # once, or twice with the same id...
        assert {i for i, n in sent.items() if n == 2} <= set(in_flight)  # ...only those in flight at the kill
        assert sorted(receiver.accepted) == sorted(ids)  # the receiver kept each once
        assert survivor.stop(signal.SIGTERM) == 0
        app.close()
    finally:
        receiver.release.set()
        dispatchers.kill()


def test_a_new_alert_is_sent_at_once_not_at_the_next_periodic_pass(
    tmp_path: Path, postgres_url: str, receiver: WebhookReceiver
) -> None:
    config = write_config(tmp_path, postgres_url, receiver.url, interval="1h")  # no pass for an hour
    dispatchers = Dispatchers(tmp_path, config, 1)
    try:
        app = app_for(postgres_url, receiver.url)
        [delivery_id] = queue(app, 1)
        wait_until(
            lambda: list(receiver.accepted), "the alert sent (woken by NOTIFY)", until=lambda got: got == [delivery_id],
            timeout=60, alive=dispatchers.alive, context=dispatchers.logs,
        )  # fmt: skip
        assert dispatchers.procs[0].stop(signal.SIGTERM) == 0
        app.close()
    finally:
        dispatchers.kill()
