"""A receiver that floods, trickles or stalls costs one failed attempt, never the daemon.

Each test points a channel at a hostile server on 127.0.0.1 (``sandbox.hostile``), queues an
alert and runs one dispatch pass: the attempt must end by the channel's ``timeout`` (the whole
attempt, not each read), be recorded with its reason, stay pending for the normal retry, and the
test process's peak memory must stay flat (the kernel's high-water mark, reset before the pass).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from app import App, build_app
from sandbox import MailSink, WebhookReceiver
from sandbox.hostile import HostileServer
from storage.models import AlertDelivery, DeliveryAttempt
from storage.status import DeliveryStatus
from tests.alerts.helpers import ENV, alert_config, record
from tests.helpers import make_config

TIMEOUT = 1.0  # the channel's timeout in these tests
MEMORY_BOUND_KIB = 48 * 1024  # what an attempt may add to the peak; unbounded reading adds GBs


def peak_kib() -> int:
    return int(re.search(r"VmHWM:\s+(\d+)", open("/proc/self/status").read()).group(1))  # type: ignore[union-attr]


def reset_peak() -> int:
    """Reset the peak to the current resident size (Linux), and return it."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    return peak_kib()


def build(url: str, channel: dict[str, Any]) -> App:
    data = alert_config(url)
    data["channels"] = {"target": channel}
    data["watches"]["vn-my"]["channels"] = ["target"]
    return build_app(make_config(data, env=ENV))


def smtp_channel(port: int) -> dict[str, Any]:
    return {
        "type": "smtp", "host": "127.0.0.1", "port": port, "security": "none",
        "sender": "alerts@newswatch.example.org", "to": ["desk@example.org"], "timeout": f"{TIMEOUT}s",
    }  # fmt: skip


def webhook_channel(url: str) -> dict[str, Any]:
    return {"type": "webhook", "url": url, "secret_env": "HOOK_SECRET", "timeout": f"{TIMEOUT}s"}


@pytest.fixture(params=["flood", "trickle", "stall"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["http", "smtp"])
def hostile(request: pytest.FixtureRequest, mode: str) -> Iterator[HostileServer]:
    server = HostileServer(str(request.param), mode, chunk=512, interval=0.2).start()
    yield server
    server.stop()


def test_a_hostile_receiver_costs_one_bounded_failed_attempt_and_no_memory(
    sqlite_url: str, hostile: HostileServer
) -> None:
    channel = webhook_channel(hostile.url) if hostile.protocol == "http" else smtp_channel(hostile.port)
    app = build(sqlite_url, channel)
    app.ingestor().ingest(record())
    dispatcher = app.dispatcher()

    before = reset_peak()
    started = time.monotonic()
    counts = dispatcher.dispatch_due()
    elapsed = time.monotonic() - started
    grown = peak_kib() - before

    assert counts.retrying == 1 and counts.delivered == 0
    assert elapsed < TIMEOUT + 1.0, f"the attempt took {elapsed:.1f}s with a {TIMEOUT}s timeout"
    assert grown < MEMORY_BOUND_KIB, f"peak memory grew by {grown // 1024} MiB"
    with app.sessions() as s:
        delivery = s.scalars(select(AlertDelivery)).one()
        (attempt,) = s.scalars(select(DeliveryAttempt))
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at > delivery.created_at
    assert attempt.ok is False and attempt.error and delivery.last_error == attempt.error
    if hostile.protocol == "http" and hostile.mode != "stall":
        assert "HTTP 500" in attempt.error
    else:
        assert f"{TIMEOUT:g}s" in attempt.error or "KiB" in attempt.error, attempt.error
    if hostile.mode == "flood":
        assert hostile.bytes_sent < 8 * 1024 * 1024  # it stopped reading; the server's socket filled up


def test_the_smtp_flood_is_cut_by_the_size_cap_not_the_timeout(sqlite_url: str) -> None:
    with HostileServer("smtp", "flood") as server:
        app = build(sqlite_url, smtp_channel(server.port))
        app.ingestor().ingest(record())
        started = time.monotonic()
        app.dispatcher().dispatch_due()
        elapsed = time.monotonic() - started
    with app.sessions() as s:
        (attempt,) = s.scalars(select(DeliveryAttempt))
    assert (attempt.error or "").endswith(": the mail server sent more than 64 KiB of replies")
    assert elapsed < TIMEOUT


def test_a_hostile_receiver_delays_no_other_channel(sqlite_url: str) -> None:
    with HostileServer("http", "trickle", chunk=64, interval=0.2) as bad, WebhookReceiver() as good, MailSink() as mail:
        data = alert_config(sqlite_url, good.url, mail.port)
        data["channels"]["bad"] = webhook_channel(bad.url)
        data["watches"]["vn-my"]["channels"] = ["hook", "mail", "bad"]
        app = build_app(make_config(data, env=ENV))
        app.ingestor().ingest(record())
        counts = app.dispatcher().dispatch_due()
    assert (counts.delivered, counts.retrying) == (2, 1)
    assert len(good.accepted) == 1 and len(mail.messages) == 1
