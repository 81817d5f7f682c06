"""Channel settings are checked when the config is loaded: one line naming the file and the key,
exit status 2, instead of a failure (or a message in clear) at the first alert."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from app import build_app
from config import ConfigError
from sandbox import MailSink, WebhookReceiver, make_tls
from tests.alerts.helpers import ENV, alert_config
from tests.helpers import RunCli, make_config

SMTP: dict[str, Any] = {
    "type": "smtp", "host": "smtp.example.org", "sender": "Newswatch <alerts@example.org>", "to": ["desk@example.org"],
}  # fmt: skip
HOOK: dict[str, Any] = {"type": "webhook", "url": "https://hooks.example.org/x", "secret_env": "HOOK_SECRET"}


def load(channel: dict[str, Any]) -> None:
    make_config({"channels": {"c": channel}}, env=ENV)


@pytest.mark.parametrize(
    ("changes", "key", "says"),
    [
        ({"security": "SSL"}, "security", "expected one of starttls, tls, none"),
        ({"security": "STARTTLS"}, "security", "got 'STARTTLS'"),
        ({"security": "starttls "}, "security", "got 'starttls '"),
        ({"security": "none", "username": "u", "password_env": "HOOK_SECRET"}, "security", "in clear"),
        ({"port": 0}, "port", "1 to 65535"),
        ({"port": 70000}, "port", "1 to 65535"),
        ({"to": []}, "to", "at least one recipient"),
        ({"to": ["desk@example.org\r\nBcc: spy@example.net"]}, "to[0]", "control characters"),
        ({"to": ["a@example.org", "two@example.org, three@example.org"]}, "to[1]", "one address"),
        ({"to": ["not an address"]}, "to[0]", "one address"),
        ({"sender": "alerts@example.org\nX-Evil: 1"}, "sender", "control characters"),
        ({"sender": ""}, "sender", "one address"),
        ({"host": "smtp.example.org\r\n"}, "host", "host name"),
        ({"timeout": 0}, "timeout", "expected 100ms to 10m, got 0s"),
    ],
)
def test_bad_smtp_settings_are_refused_at_load(changes: dict[str, Any], key: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load({**SMTP, **changes})
    assert caught.value.key == f"channels.c.{key}"
    assert says in caught.value.message
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("changes", "key", "says"),
    [
        ({"url": "ftp://hooks.example.org/x"}, "url", "http:// or https://"),
        ({"url": "file:///etc/passwd"}, "url", "http:// or https://"),
        ({"url": "garbage"}, "url", "http:// or https://"),
        ({"url": "https://"}, "url", "host"),
        ({"url": "https://hooks.example.org:99999/x"}, "url", "not a valid URL"),
        ({"url": "https://hooks.example.org/x y"}, "url", "without spaces"),
        ({"secret_env": ""}, "secret_env", "unsigned = true"),
        ({"unsigned": True}, "unsigned", "choose one"),
        ({"timeout": "0s"}, "timeout", "expected 100ms to 10m, got 0s"),
    ],
)
def test_bad_webhook_settings_are_refused_at_load(changes: dict[str, Any], key: str, says: str) -> None:
    channel = {k: v for k, v in {**HOOK, **changes}.items() if v != ""}
    with pytest.raises(ConfigError) as caught:
        load(channel)
    assert caught.value.key == f"channels.c.{key}"
    assert says in caught.value.message


def test_good_channels_load() -> None:
    load(SMTP)
    load({**SMTP, "security": "tls", "port": 465, "username": "u", "password_env": "HOOK_SECRET"})
    load({**SMTP, "security": "none", "username": "u", "password_env": "HOOK_SECRET", "allow_cleartext_login": True})
    load({**SMTP, "to": ["Duty Desk <desk@example.org>", "Nguyễn Văn A <a@example.vn>"]})
    load(HOOK)
    load({"type": "webhook", "url": "http://127.0.0.1:8080/hook", "unsigned": True})


def test_the_command_line_says_which_key_is_wrong_in_one_line_with_status_2(tmp_path: Path, run_cli: RunCli) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[channels.mail]\ntype = "smtp"\nhost = "smtp.example.org"\nsecurity = "SSL"\n'
        'sender = "a@example.org"\nto = ["b@example.org"]\n'
    )
    done = run_cli("--config", str(config), "alerts", "test", "mail")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert f"{config}: channels.mail.security: expected one of starttls, tls, none" in done.stderr


def test_an_unsigned_webhook_is_warned_about_when_the_channels_are_built(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    data = alert_config(sqlite_url)
    data["channels"] = {"open": {"type": "webhook", "url": "http://127.0.0.1:9/hook", "unsigned": True}}
    app = build_app(make_config(data, env=ENV))
    with caplog.at_level(logging.WARNING):
        app.dispatcher()
    assert any("open" in r.getMessage() and "unsigned" in r.getMessage() for r in caplog.records)


def test_alerts_test_says_which_transport_security_was_used(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    context, ca_file = make_tls(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    with MailSink(tls=context) as secure, MailSink() as clear, WebhookReceiver() as hook:
        data = alert_config(sqlite_url, hook.url)
        base = {**SMTP, "host": "127.0.0.1", "timeout": "5s"}
        data["channels"].update(
            secure={**base, "port": secure.port, "security": "starttls"},
            clear={**base, "port": clear.port, "security": "none"},
        )
        app = build_app(make_config(data, env=ENV))
        dispatcher = app.dispatcher()
        said = {name: dispatcher.send_test(name) for name in ("secure", "clear", "hook")}
    assert all(o.status == "delivered" for o in said.values()), said
    assert said["secure"].transport is not None and said["secure"].transport.startswith("STARTTLS (TLSv1.")
    assert "certificate verified" in said["secure"].transport
    assert said["clear"].transport == "no encryption (security = none)"
    assert said["hook"].transport == "plain HTTP (no encryption), signed"
