"""Digest watches: one message per period and channel, stories grouped by watch, never twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from alerts.digest import enqueue_digests, period_end
from app import build_app
from sandbox import MailSink, WebhookReceiver
from storage.ingest import Ingestor
from storage.models import AlertDelivery
from tests.alerts.helpers import ENV, OneStory, alert_config, record
from tests.helpers import make_config

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver().start()
    yield r
    r.stop()


def digest_config(database_url: str, receiver: WebhookReceiver, smtp_port: int | None = None) -> dict[str, Any]:
    data = alert_config(database_url, receiver.url, smtp_port, alerts={"digest_time": "08:00"})
    channels = list(data["channels"])
    data["watches"] = {
        "vn-my": {"query": '"Malaysia" AND "Vietnam"', "channels": channels, "mode": "digest"},
        "navy": {"query": "navy OR navies", "channels": channels, "mode": "digest"},
    }
    return data


def clock_at(when: datetime) -> Any:
    return lambda: when


def test_daily_periods_end_at_the_local_digest_time() -> None:
    now = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)  # 07:30 in Ho Chi Minh City
    assert period_end("daily", now, HCM, "08:00") == datetime(2026, 11, 23, 8, 0, tzinfo=HCM)
    assert period_end("daily", now + timedelta(hours=1), HCM, "08:00") == datetime(2026, 11, 24, 8, 0, tzinfo=HCM)
    assert period_end("hourly", now, HCM) == datetime(2026, 11, 24, 7, 0, tzinfo=HCM)


def test_one_digest_per_period_and_channel_grouped_by_watch(sqlite_url: str, receiver: WebhookReceiver) -> None:
    smtp = MailSink().start()
    try:
        cfg = make_config(digest_config(sqlite_url, receiver, smtp.port), env=ENV)
        app = build_app(cfg)
        day = datetime.now(UTC).astimezone(HCM).replace(hour=12, minute=0, second=0, microsecond=0)
        stored_at = day - timedelta(days=1)  # yesterday noon, local
        outbox = app.outbox()
        outbox.clock = clock_at(stored_at.astimezone(UTC))
        ingestor = Ingestor(app.sessions, index=OneStory(), on_stored=[outbox], clock=outbox.clock)
        ingestor.ingest(record(1, published_at=stored_at - timedelta(hours=1)))
        ingestor.ingest(
            record(2, outlet="thesun", outlet_name="The Sun", url="https://thesun.my/2", title="Navy", text="x " * 40)
        )
        with app.sessions() as s:
            assert s.scalars(select(AlertDelivery)).all() == []  # digest watches send nothing at once

        before = day.replace(hour=7, minute=59).astimezone(UTC)  # today, just before 08:00 local
        after = day.replace(hour=8, minute=5).astimezone(UTC)
        # Before today's digest time: yesterday 08:00 closed the last period, which had no matches.
        assert enqueue_digests(app.sessions, cfg, before) == []
        created = enqueue_digests(app.sessions, cfg, after)
        assert len(created) == 2  # one per channel
        assert enqueue_digests(app.sessions, cfg, after + timedelta(minutes=30)) == []  # never twice
        assert app.dispatcher().dispatch_due(after).delivered == 2

        (msg,) = smtp.messages
        # The story matched both watches (its text names navies); it is one story, listed under each.
        assert msg["Subject"] == "[Newswatch digest] 1 new story (navy, vn-my)"
        text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert "== navy (1) ==" in text and "== vn-my (1) ==" in text and "Also reported by: The Sun" in text
        (request,) = receiver.requests
        payload = request.json()
        assert payload["type"] == "watch.digest" and request.verified
        assert [g["watch"] for g in payload["data"]["watches"]] == ["navy", "vn-my"]
        assert payload["data"]["watches"][0]["stories"][0]["article"]["outlet"] == "bernama-en"

        # The next day's digest starts where this one ended: a new story appears once.
        outbox.clock = clock_at((day + timedelta(hours=3)).astimezone(UTC))
        ingestor.index = OneStory()
        Ingestor(app.sessions, on_stored=[outbox], clock=outbox.clock).ingest(
            record(3, title="Malaysian and Vietnamese navies drill", text="Navies of Malaysia and Vietnam drill " * 3)
        )
        created = enqueue_digests(app.sessions, cfg, after + timedelta(days=1))
        assert len(created) == 2
        with app.sessions() as s:
            latest = s.get(AlertDelivery, created[0])
            assert latest is not None and latest.payload is not None
            assert len(latest.payload["match_ids"]) == 2  # the new story matched both watches
    finally:
        smtp.stop()


@pytest.mark.parametrize(
    ("alerts", "message"),
    [
        ({"digest_time": "8am"}, "alerts.digest_time: expected a local time like 08:00, got '8am'"),
        ({"timezone": "Asia/Hanoi City"}, "alerts.timezone: unknown timezone 'Asia/Hanoi City'"),
    ],
)
def test_a_bad_digest_time_or_timezone_is_a_clear_config_error(alerts: dict[str, str], message: str) -> None:
    from config import ConfigError

    with pytest.raises(ConfigError, match=message):
        make_config({"alerts": alerts})
