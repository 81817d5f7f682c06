"""Channels against real endpoints on 127.0.0.1: what arrives, how it looks, how it is signed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app import App, build_app
from sandbox import MailSink, WebhookReceiver
from storage.ingest import Ingestor
from storage.models import AlertDelivery, ChannelState, DeliveryAttempt
from storage.status import DeliveryStatus
from tests.alerts.helpers import ENV, TITLE, WATCH, OneStory, alert_config, record
from tests.helpers import make_config


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver().start()
    yield r
    r.stop()


@pytest.fixture
def smtp() -> Iterator[MailSink]:
    s = MailSink().start()
    yield s
    s.stop()


def build(database_url: str, **kw: Any) -> App:
    env = {**ENV, **kw.pop("env", {})}
    return build_app(make_config(alert_config(database_url, **kw), env=env))


def deliveries(app: App) -> dict[str, AlertDelivery]:
    with app.sessions() as s:
        return {d.channel: d for d in s.scalars(select(AlertDelivery))}


def test_email_arrives_threaded_with_escaped_html_and_the_facts_a_reader_needs(sqlite_url: str, smtp: MailSink) -> None:
    app = build(sqlite_url, smtp_port=smtp.port)
    published = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    ingestor = Ingestor(app.sessions, index=OneStory(), on_stored=[app.outbox()])
    first = ingestor.ingest(record(1, published_at=published, outlet_name="BERNAMA"))
    ingestor.ingest(
        record(2, outlet="thesun", outlet_name="The Sun", url="https://thesun.my/news/2", title="Navies team up")
    )
    counts = app.dispatcher().dispatch_due()
    assert counts.delivered == 1

    (msg,) = smtp.messages
    delivery = deliveries(app)["mail"]
    assert sorted(smtp.envelopes[0][1]) == ["analyst@example.org", "desk@example.org"]
    assert msg["Subject"] == f"[{WATCH}] {TITLE}"
    assert msg["Message-ID"] == f"<{delivery.id}@newswatch.example.org>"
    assert msg["References"] == msg["In-Reply-To"] == f"<story-{first.story_id}@newswatch.example.org>"
    assert msg["Date"]
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]

    local = published.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M")
    for body in (text, html):
        assert "BERNAMA" in body and "en" in body
        assert f"{local} (Asia/Ho_Chi_Minh)" in body
        assert "https://www.bernama.com/en/news.php?id=1" in body
        assert "The Sun" not in body  # reported after the alert was queued: not in it (see updates)
    assert TITLE in text
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<mark>Malaysia</mark>" in html and "**Malaysia**" in text
    with app.sessions() as s:
        (attempt,) = s.scalars(select(DeliveryAttempt))
        assert attempt.ok and attempt.status_code == 250


def test_webhook_is_signed_and_carries_the_documented_payload(sqlite_url: str, receiver: WebhookReceiver) -> None:
    app = build(sqlite_url, webhook_url=receiver.url)
    result = app.ingestor().ingest(record(1, outlet_name="BERNAMA"))
    assert app.dispatcher().dispatch_due().delivered == 1

    (request,) = receiver.requests
    assert request.verified, "the receiver could not verify the Standard Webhooks signature"
    assert request.headers["webhook-id"] == deliveries(app)["hook"].id
    assert request.headers["content-type"] == "application/json"
    payload = request.json()
    assert payload["type"] == "watch.match" and payload["id"] == request.id
    data = payload["data"]
    assert data["watch"] == WATCH and data["score"] > 0
    assert {t.lower() for t in data["terms"]} >= {"malaysia", "vietnam"}
    snippet = data["snippets"][0]
    start, end = snippet["spans"][0]
    assert snippet["text"][start:end].lower() in ("malaysia", "vietnam")
    assert data["article"]["title"] == TITLE  # raw in JSON; escaping is the receiver's business
    assert data["article"]["outlet"] == "bernama-en" and data["article"]["outlet_name"] == "BERNAMA"
    assert data["article"]["url"] == "https://www.bernama.com/en/news.php?id=1"
    assert data["story"]["id"] == result.story_id and data["also_reported_by"] == []


def test_a_wrong_secret_fails_verification(sqlite_url: str) -> None:
    receiver = WebhookReceiver(secret="whsec_" + "QUJD" * 8).start()
    try:
        app = build(sqlite_url, webhook_url=receiver.url)
        app.ingestor().ingest(record())
        counts = app.dispatcher().dispatch_due()
        assert counts.retrying == 1 and not receiver.requests[0].verified
        assert "HTTP 401" in (deliveries(app)["hook"].last_error or "")
    finally:
        receiver.stop()


def test_smtp_auth_failure_is_recorded_clearly_and_other_channels_still_deliver(
    sqlite_url: str, receiver: WebhookReceiver
) -> None:
    sink = MailSink(users={"newswatch": "correct horse"}).start()
    try:
        data = alert_config(sqlite_url, receiver.url, sink.port)
        # plain AUTH on loopback, said explicitly (the sink has no certificate)
        data["channels"]["mail"].update(username="newswatch", password_env="SMTP_PASSWORD", allow_cleartext_login=True)
        app = build_app(make_config(data, env={**ENV, "SMTP_PASSWORD": "wrong"}))
        app.ingestor().ingest(record())
        counts = app.dispatcher().dispatch_due()
        assert (counts.delivered, counts.retrying) == (1, 1)
        assert len(receiver.accepted) == 1 and sink.messages == []
        mail = deliveries(app)["mail"]
        assert mail.status == DeliveryStatus.PENDING
        assert mail.last_error and mail.last_error.startswith("authentication failed for user 'newswatch': 535")
        with app.sessions() as s:
            attempt = s.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == mail.id)).one()
            assert attempt.status_code == 535 and not attempt.ok
    finally:
        sink.stop()


def test_smtp_login_with_the_right_password_delivers(sqlite_url: str) -> None:
    sink = MailSink(users={"newswatch": "correct horse"}).start()
    try:
        data = alert_config(sqlite_url, smtp_port=sink.port)
        # plain AUTH on loopback, said explicitly (the sink has no certificate)
        data["channels"]["mail"].update(username="newswatch", password_env="SMTP_PASSWORD", allow_cleartext_login=True)
        app = build_app(make_config(data, env={**ENV, "SMTP_PASSWORD": "correct horse"}))
        app.ingestor().ingest(record())
        assert app.dispatcher().dispatch_due().delivered == 1 and len(sink.messages) == 1
    finally:
        sink.stop()


def test_410_gone_disables_the_channel_until_retried(sqlite_url: str, receiver: WebhookReceiver) -> None:
    from alerts.deliveries import requeue

    app = build(sqlite_url, webhook_url=receiver.url)
    dispatcher = app.dispatcher()
    receiver.mode = "gone"
    app.ingestor().ingest(record(1))
    assert dispatcher.dispatch_due().disabled == 1
    app.ingestor().ingest(record(2, title="Vietnam and Malaysia coast guards meet"))
    assert dispatcher.dispatch_due().disabled == 1
    assert len(receiver.requests) == 1  # the second was not even tried
    with app.sessions() as s:
        assert s.get(ChannelState, "hook") is not None
        assert {d.status for d in s.scalars(select(AlertDelivery))} == {"disabled"}
    receiver.mode = "ok"
    assert len(requeue(app.sessions)) == 2
    assert dispatcher.dispatch_due().delivered == 2 and len(receiver.accepted) == 2


def test_user_templates_override_the_builtin_ones(tmp_path: Path, receiver: WebhookReceiver, smtp: MailSink) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "subject.txt").write_text("ALERT {{ data.article.outlet }}: {{ data.article.title }}\n")
    # Expressions in webhook.json are written as JSON values: quotes in a title cannot break it.
    (folder / "webhook.json").write_text('{"text": {{ "New: " ~ data.article.title }}, "id": {{ delivery_id }}}\n')
    app = build(
        f"sqlite:///{tmp_path / 'db.sqlite'}",
        webhook_url=receiver.url,
        smtp_port=smtp.port,
        alerts={"templates_dir": str(folder)},
    )
    app.ingestor().ingest(record(title='Vietnam "and" Malaysia'))
    assert app.dispatcher().dispatch_due().delivered == 2
    assert smtp.messages[0]["Subject"] == 'ALERT bernama-en: Vietnam "and" Malaysia'
    body = receiver.requests[0].json()
    assert body == {"text": 'New: Vietnam "and" Malaysia', "id": receiver.requests[0].id}


def test_apprise_channel_posts_through_apprise(sqlite_url: str) -> None:
    receiver = WebhookReceiver(require_signature=False).start()
    try:
        data = alert_config(sqlite_url)
        data["channels"] = {"chat": {"type": "apprise", "url_env": "CHAT_URL"}}
        data["watches"][WATCH]["channels"] = ["chat"]
        url = f"json://127.0.0.1:{receiver.port}/hook"
        app = build_app(make_config(data, env={"CHAT_URL": url}))
        app.ingestor().ingest(record())
        assert app.dispatcher().dispatch_due().delivered == 1
        body = receiver.requests[0].json()
        assert body["title"] == f"[{WATCH}] {TITLE}" and "bernama.com" in body["message"]
    finally:
        receiver.stop()
    # The endpoint is gone now: the failure is recorded with Apprise's own explanation.
    app.ingestor().ingest(record(2, title="Vietnam and Malaysia coast guards meet"))
    counts = app.dispatcher().dispatch_due()
    assert counts.retrying == 1
    with app.sessions() as s:
        failed = s.scalars(select(AlertDelivery).where(AlertDelivery.status == DeliveryStatus.PENDING)).one()
        assert failed.last_error and "127.0.0.1" in failed.last_error


def test_webhook_payload_is_json_for_every_kind(sqlite_url: str, receiver: WebhookReceiver) -> None:
    from alerts.outbox import enqueue_system_alert

    app = build(sqlite_url, webhook_url=receiver.url)
    with app.sessions.begin() as s:
        enqueue_system_alert(s, ["hook"], "qdnd.vn <b>failing</b>", "3 crawls failed", "health/1")
    outcome = app.dispatcher().send_test("hook")
    assert outcome.status == "delivered"
    assert app.dispatcher().dispatch_due().delivered == 1
    kinds = {r.json()["type"]: r.json()["data"] for r in receiver.requests}
    assert kinds["test"] == {"channel": "hook"}
    assert kinds["system.notice"]["subject"] == "qdnd.vn <b>failing</b>"
    assert json.dumps(kinds)  # plain JSON all the way down


def test_signature_matches_the_standard_webhooks_reference_vector() -> None:
    from alerts.channels.webhook import sign

    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    signature = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", b'{"test": 2432232314}')
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_email_over_starttls_and_implicit_tls_verifies_the_certificate(
    tmp_path: Path, security: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sandbox import make_tls

    context, ca_file = make_tls(tmp_path)
    sink = MailSink(tls=context, implicit=security == "tls").start()
    try:
        data = alert_config(f"sqlite:///{tmp_path / 'db.sqlite'}", smtp_port=sink.port)
        data["channels"]["mail"]["security"] = security
        app = build_app(make_config(data, env=ENV))
        app.ingestor().ingest(record(1))
        # The server's CA is not trusted yet: the certificate is refused, clearly.
        assert app.dispatcher().dispatch_due().retrying == 1
        error = deliveries(app)["mail"].last_error or ""
        assert "CERTIFICATE_VERIFY_FAILED" in error and sink.messages == []
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # what an operator does for a private CA
        assert app.dispatcher().dispatch_due(datetime.now(UTC) + timedelta(minutes=5)).delivered == 1
        assert len(sink.messages) == 1 and sink.messages[0]["Subject"] == f"[{WATCH}] {TITLE}"
    finally:
        sink.stop()


@pytest.mark.parametrize(
    "subject",
    [
        "[vietnam-malaysia-defence] Bộ trưởng Quốc phòng Việt Nam và Malaysia hội đàm, ký Bản ghi nhớ hợp tác",
        "[vietnam-malaysia-defence] APMM tahan bot nelayan Vietnam, 12 kru di perairan Terengganu — Bernama",
        "[w] short ASCII subject",
    ],
)
def test_a_long_vietnamese_subject_keeps_every_space(subject: str) -> None:
    from email import message_from_bytes, policy

    from alerts.channels.smtp import SmtpChannelConfig, build_message
    from alerts.render import Rendered

    channel = SmtpChannelConfig(name="mail", host="127.0.0.1", sender="nw@example.org", to=("desk@example.org",))
    rendered = Rendered("msg_1", "instant", subject, "text", "<p>html</p>", b"{}", "story-1")
    raw = build_message(channel, rendered).as_bytes()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    assert message_from_bytes(raw, policy=policy.default)["Subject"] == subject


@pytest.mark.parametrize(
    "control",
    [
        *("\x1b[31m", "\r", "\n", "\r\nBcc: spy@example.net\r\n", "\x00", "\x07", "\x9b", "\x7f"),
        *("\u202e", "\u2066", "\u200f"),  # bidi override, isolate, mark
    ],
)
@pytest.mark.slow  # one mail per kind of character
def test_control_and_bidi_characters_in_a_title_never_reach_the_subject_and_never_lose_the_alert(
    sqlite_url: str, smtp: MailSink, receiver: WebhookReceiver, control: str
) -> None:
    app = build(sqlite_url, webhook_url=receiver.url, smtp_port=smtp.port)
    title = f"Malaysia{control} and Vietnam hold {control}joint patrol"
    app.ingestor().ingest(record(1, title=title))
    assert app.dispatcher().dispatch_due().delivered == 2
    (msg,) = smtp.messages
    subject = str(msg["Subject"])
    bidi, controls = "\u202e\u2066\u200f", "\x1b\r\n\x00\x07\x9b\x7f"
    visible = "".join("" if c in bidi else " " if c in controls else c for c in title)
    assert subject == f"[{WATCH}] " + " ".join(visible.split())  # what is left of the text stays
    assert not any(c in subject for c in bidi + controls)
    assert msg["Bcc"] is None and smtp.envelopes[0][1] == ["analyst@example.org", "desk@example.org"]
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert not [c for c in text.replace("\r\n", "\n") if c in bidi + controls.replace("\n", "")]
    (hook,) = receiver.accepted.values()
    # the webhook's data is the data, JSON-escaped (less NUL, which no database stores)
    assert hook["data"]["article"]["title"] == title.replace("\x00", "")


def test_every_attempt_sends_the_same_bytes_stamped_with_the_event_time(
    sqlite_url: str, receiver: WebhookReceiver
) -> None:
    app = build(sqlite_url, webhook_url=receiver.url)
    ingestor = Ingestor(app.sessions, index=OneStory(), on_stored=[app.outbox()])
    ingestor.ingest(record(1))
    receiver.fail_next = 2
    dispatcher = app.dispatcher()
    assert dispatcher.dispatch_due().retrying == 1
    # Between the attempts another outlet reports the story, and time passes.
    ingestor.ingest(record(2, outlet="thesun", url="https://thesun.my/news/2", title="Navies team up"))
    assert dispatcher.dispatch_due(datetime.now(UTC) + timedelta(minutes=2)).retrying == 1
    assert dispatcher.dispatch_due(datetime.now(UTC) + timedelta(minutes=10)).delivered == 1

    first, second, third = receiver.requests
    assert first.id == second.id == third.id
    assert first.body == second.body == third.body  # byte for byte
    assert third.verified and first.headers["webhook-timestamp"] <= third.headers["webhook-timestamp"]
    delivery = deliveries(app)["hook"]
    payload = third.json()
    assert datetime.fromisoformat(payload["timestamp"]) == delivery.created_at  # when it matched, not sent
    assert payload["data"]["also_reported_by"] == []


@pytest.mark.parametrize("updates", [False, True])
def test_a_later_report_is_a_follow_up_only_when_the_watch_asks_for_updates(
    sqlite_url: str, receiver: WebhookReceiver, smtp: MailSink, updates: bool
) -> None:
    app = build(sqlite_url, webhook_url=receiver.url, smtp_port=smtp.port, watches={WATCH: {"updates": updates}})
    ingestor = Ingestor(app.sessions, index=OneStory(), on_stored=[app.outbox()])
    ingestor.ingest(record(1, outlet_name="BERNAMA"))
    dispatcher = app.dispatcher()
    assert dispatcher.dispatch_due().delivered == 2
    later = ingestor.ingest(
        record(2, outlet="thesun", outlet_name="The Sun", url="https://thesun.my/news/2", title="Navies team up")
    )
    counts = dispatcher.dispatch_due()
    if not updates:
        assert counts.delivered == 0 and len(smtp.messages) == 1 and len(receiver.accepted) == 1
        return
    assert counts.delivered == 2
    first, follow_up = smtp.messages
    assert follow_up["In-Reply-To"] == first["In-Reply-To"]  # one thread per story
    assert "Navies team up" in str(follow_up["Subject"])
    text = follow_up.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "The Sun" in text and "https://thesun.my/news/2" in text
    body = receiver.requests[-1].json()
    assert body["type"] == "watch.update"
    assert body["data"]["article"]["id"] == later.article_id
    assert [o["outlet_name"] for o in body["data"]["also_reported_by"]] == ["BERNAMA"]
