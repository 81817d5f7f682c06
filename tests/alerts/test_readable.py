"""Alerts a duty officer reads at a glance: the words found, once each, few; snippets that add
to the headline; one ellipsis; language and outlet names; a short subject prefix; no bare score.
Through the real mail server and webhook receiver the tests start."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alerts.readable import found_terms, short_label
from alerts.render import terms
from language import language_name
from sandbox import MailSink, WebhookReceiver
from tests.alerts.helpers import record
from tests.alerts.test_channels import build


@pytest.mark.parametrize(
    ("patterns", "title", "text", "shown"),
    [
        (["detain*", "boat*"], "", "MMEA detained two boats off Kuantan.", ["detained", "boats"]),
        (["Viet Nam", "Việt Nam"], "", "Tàu cá Việt Nam bị bắt.", ["Việt Nam"]),  # accents folded: one
        (["VIETNAM", "vietnam"], "", "Vietnam and Malaysia.", ["Vietnam"]),  # case folded: one
        (["tàu", "tàu cá"], "", "Hai tàu cá bị giữ.", ["tàu cá"]),  # nested: the longer one
        (["tàu cá Việt", "Việt Nam", "tàu"], "", "Hai tàu cá Việt Nam bị giữ.", ["tàu cá Việt Nam"]),  # overlap
        (["Malaysia", "Maritim Malaysia"], "", "Maritim Malaysia menahan bot.", ["Maritim Malaysia"]),
        (["Kuantan", "MMEA"], "MMEA acts", "It happened off Kuantan.", ["MMEA", "Kuantan"]),  # text order
        (['"hải quân"'], "", "Hải quân Malaysia", ["Hải quân"]),  # quotes of a phrase term
        (["Royal Malaysian Navy"], "", "the Royal-Malaysian  Navy said", ["Royal-Malaysian Navy"]),
    ],
)
def test_terms_are_shown_as_the_words_found_one_per_concept(
    patterns: list[str], title: str, text: str, shown: list[str]
) -> None:
    assert found_terms(patterns, title, text) == shown


def test_at_most_six_terms_then_how_many_more_and_no_comma_ambiguity() -> None:
    found = ["MMEA", "detained", "Vietnamese", "fishing boat", "Kuantan", "Pahang, Malaysia", "crew", "seized"]
    assert terms(found) == "MMEA · detained · Vietnamese · fishing boat · Kuantan · Pahang, Malaysia · +2 more"
    assert terms(found[:3]) == "MMEA · detained · Vietnamese"


@pytest.mark.parametrize(
    ("name", "label", "prefix"),
    [
        ("vietnam-malaysia-defence", "", "vietnam-malaysia…"),
        ("vn-my", "", "vn-my"),
        ("vietnam-malaysia-defence", "VN-MY", "VN-MY"),
        ("averyveryverylongwatchnamewithoutbreaks", "", "averyveryverylon…"),
    ],
)
def test_the_subject_prefix_is_short(name: str, label: str, prefix: str) -> None:
    assert short_label(name, label) == prefix and len(prefix) <= 17


def test_language_codes_become_names() -> None:
    assert [language_name(c) for c in ("vi", "en", "ms", "xx", None)] == [
        "Vietnamese", "English", "Malay", "xx", "unknown",
    ]  # fmt: skip


@pytest.fixture
def servers() -> Iterator[tuple[MailSink, WebhookReceiver]]:
    with MailSink() as mail, WebhookReceiver() as hook:
        yield mail, hook


TITLE = "MMEA detains Vietnamese fishing boat off Kuantan"
TEXT = (
    "KUANTAN, Dec 5 (Bernama) -- The Malaysian Maritime Enforcement Agency (MMEA) detained a Vietnamese "
    "fishing boat with 12 crew members in Malaysian waters off Kuantan early today. Its director said the "
    "boat was seized about 80 nautical miles from Tanjung Gelang... The skipper and crew, all Vietnamese "
    "nationals, were taken to the Kuantan jetty for further action under the Fisheries Act 1985."
)


QUERY = '(MMEA OR APMM) (detain* OR seiz*) (Vietnam* OR "Viet Nam" OR "Việt Nam") (boat* OR crew* OR fishing)'


def alert_app(url: str, mail: MailSink, hook: WebhookReceiver, **watch: Any) -> Any:
    """The app with one more watch, ``vietnam-malaysia-boats`` (the helpers' own watch needs the
    bare words Malaysia and Vietnam, which these texts do not have)."""
    name = watch.pop("name", "vietnam-malaysia-boats")
    alerts = watch.pop("alerts", {})
    settings = {"query": QUERY, "channels": ["hook", "mail"], "accent_insensitive": True, **watch}
    return build(url, webhook_url=hook.url, smtp_port=mail.port, watches={name: settings}, alerts=alerts)


def test_an_alert_reads_at_a_glance(sqlite_url: str, servers: tuple[MailSink, WebhookReceiver]) -> None:
    mail, hook = servers
    app = alert_app(sqlite_url, mail, hook)
    app.ingestor().ingest(record(1, title=TITLE, text=TEXT, outlet_name="BERNAMA", language="en"))
    assert app.dispatcher().dispatch_due().delivered == 2

    (msg,) = mail.messages
    assert msg["Subject"] == f"[vietnam-malaysia…] {TITLE}"
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = text.replace("\r\n", "\n")
    matched = re.search(r"Matched:\s+(.*)", text).group(1)  # type: ignore[union-attr]
    words = [w for w in matched.split(" · ") if not w.startswith("+")]
    assert "*" not in matched and len(words) <= 6
    assert "MMEA" in words and "detains" in words and "Vietnamese" in words
    assert len({w.casefold() for w in words}) == len(words)
    assert "Language:   English" in text and "Outlet:     BERNAMA\n" in text
    assert "bernama-en" not in text and "score" not in text.lower() and "score" not in html.lower()
    quoted = [line for line in text.splitlines() if line.startswith("> ")]
    assert quoted and all(TITLE not in line.replace("**", "") for line in quoted)  # adds to the headline
    assert "..." not in text and "&hellip;" not in html and "... …" not in text
    assert "Tanjung Gelang…" in text  # the text's own "..." in the one style

    body = hook.requests[0].json()["data"]
    assert body["terms"][:6] == words and "*" not in " ".join(body["terms"])
    assert matched.endswith(f"+{len(body['terms']) - 6} more") or len(body["terms"]) <= 6
    assert body["article"]["language_name"] == "English" and body["label"] == "vietnam-malaysia…"
    assert all(s["text"].replace("*", "") != TITLE for s in body["snippets"])


def test_a_watch_label_is_the_subject_prefix(sqlite_url: str, servers: tuple[MailSink, WebhookReceiver]) -> None:
    mail, hook = servers
    app = alert_app(sqlite_url, mail, hook, label="VN-MY boats")
    app.ingestor().ingest(record(1, title=TITLE, text=TEXT, language="en"))
    app.dispatcher().dispatch_due()
    assert mail.messages[0]["Subject"] == f"[VN-MY boats] {TITLE}"


def test_a_user_template_gets_the_readable_fields_and_filters(
    tmp_path: Path, sqlite_url: str, servers: tuple[MailSink, WebhookReceiver]
) -> None:
    mail, hook = servers
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "subject.txt").write_text("{{ data.label }}/{{ data.article.language | language_name }}\n")
    (folder / "instant.txt").write_text("{{ data.terms | terms(2) }} | {{ data.article.language_name }}\n")
    app = alert_app(
        sqlite_url, mail, hook, name="w", query="MMEA (detain* OR seiz*)", channels=["mail"], label="boats",
        alerts={"templates_dir": str(folder)},
    )  # fmt: skip
    app.ingestor().ingest(record(1, title=TITLE, text=TEXT, language="en"))
    assert app.dispatcher().dispatch_due().delivered == 1
    (msg,) = mail.messages
    assert msg["Subject"] == "boats/English"
    assert msg.get_body(("plain",)).get_content().strip() == "MMEA · detains · +1 more | English"  # type: ignore[union-attr]


def test_an_imported_article_shows_its_outlet_s_name_not_its_slug(
    sqlite_url: str, servers: tuple[MailSink, WebhookReceiver]
) -> None:
    mail, hook = servers
    app = build(sqlite_url, webhook_url=hook.url, smtp_port=mail.port, outlets={"enabled": ["bernama-en"]})
    app.ingestor().ingest(record(1))  # as `import` stores it: the slug, no name
    app.dispatcher().dispatch_due()
    text = mail.messages[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Outlet:     Bernama (English)" in text and "bernama-en" not in text  # the preset's name
    assert hook.requests[0].json()["data"]["article"]["outlet_name"] == "Bernama (English)"
