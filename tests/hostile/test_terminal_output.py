"""Text from outlets cannot drive the terminal it is printed on.

The review's input first: titles with ESC, BEL and CR were printed raw by ``articles`` and
``alerts list`` (one cleared the screen, one retitled the terminal). Then the class: every C0
control (tab and newline included, inside a title), DEL, C1 controls and the bidirectional
controls, in the title, the URL and the text of stored articles, through every command that
prints them, as tables and as JSON: nothing unsafe reaches the output, and JSON still gives back
exactly what is stored.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from cli.terminal import cell, escape
from tests.helpers import RunCli, random_words

REVIEW_TITLES = ["Navy \x1b[2J\x1b[H patrol", "Navy \x1b]0;owned\x07 patrol", "Navy patrol\rFAKE LINE"]
UNSAFE = (
    [chr(c) for c in range(0x20)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + [
        "\u061c",
        "\u200e",
        "\u200f",
        "\u2028",
        "\u2029",
        *map(chr, range(0x202A, 0x202F)),
        *map(chr, range(0x2066, 0x206A)),
    ]
)


def setup(tmp_path: Path, run_cli: RunCli, titles: list[str]) -> dict[str, str]:
    env = {"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'nw.db'}", "HOOK_SECRET": "s"}
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[channels.hook]\ntype = "webhook"\nurl = "http://127.0.0.1:9/hook"\nsecret_env = "HOOK_SECRET"\n'
        '[watches.navy]\nquery = "navy"\nchannels = ["hook"]\n[alerts]\nmax_article_age = "365d"\n'
        # Stories here are only printed: the semantic route (0.2 s of CPU per matching article,
        # most of this module's time) would change none of the characters checked.
        '[dedup]\nsemantic = "off"\n'
    )
    env["NEWSWATCH_CONFIG"] = str(cfg)
    records = tmp_path / "records.jsonl"
    records.write_text(
        "".join(
            json.dumps({"url": f"https://news.example.org/{i}?x={title}", "title": title,
                        "text": f"Navy {random_words(i, 60)} {title}.", "language": "en"}) + "\n"
            for i, title in enumerate(titles)
        )
    )  # fmt: skip
    result = run_cli("import", str(records), env=env)
    assert result.returncode == 0, result.stderr
    return env


def assert_safe(output: str) -> None:
    for ch in UNSAFE:
        if ch not in "\n\t":
            assert ch not in output, f"{ch!r} reached the output"


def test_the_review_titles_are_printed_escaped_by_articles_and_alerts_list(tmp_path: Path, run_cli: RunCli) -> None:
    env = setup(tmp_path, run_cli, REVIEW_TITLES)
    articles = run_cli("articles", env=env)
    assert articles.returncode == 0, articles.stderr
    assert_safe(articles.stdout)
    assert "Navy \\u001b[2J\\u001b[H patrol" in articles.stdout
    assert "Navy patrol\\u000dFAKE LINE" in articles.stdout
    alerts = run_cli("alerts", "list", env=env)
    assert alerts.returncode == 0, alerts.stderr
    assert_safe(alerts.stdout)
    assert "\\u001b]0;owned\\u0007" in alerts.stdout


ALL = ("--limit", "500")
COMMANDS = [("articles", *ALL), ("articles", "--json", *ALL), ("articles", "--json", "--text", *ALL),
            ("stories", *ALL), ("stories", "--json", *ALL),
            ("alerts", "list", *ALL), ("alerts", "list", "--json", *ALL), ("backtest", "navy", "--since", "365d"),
            ("backtest", "navy", "--since", "365d", "--json")]  # fmt: skip


HOSTILE_TITLES = [f"Navy {ch!r} t{i} {ch}x" for i, ch in enumerate(UNSAFE)]
_imported: list[Path] = []  # the folder where the titles were imported once, for every command below


@pytest.fixture
def hostile_env(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, run_cli: RunCli) -> dict[str, str]:
    """A copy of one database holding every hostile title (importing them takes seconds; each
    command gets its own copy, so none sees what another one wrote)."""
    if not _imported:
        base = tmp_path_factory.mktemp("hostile-titles")
        setup(base, run_cli, HOSTILE_TITLES)
        _imported.append(base)
    for name in ("nw.db", "config.toml"):
        shutil.copy(_imported[0] / name, tmp_path / name)
    return {
        "NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'nw.db'}",
        "HOOK_SECRET": "s",
        "NEWSWATCH_CONFIG": str(tmp_path / "config.toml"),
    }


@pytest.mark.slow  # every command, with hostile text stored
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(a for a in c if a not in ALL))
def test_no_unsafe_character_reaches_the_output_of_any_command(
    tmp_path: Path, hostile_env: dict[str, str], run_cli: RunCli, command: tuple[str, ...]
) -> None:
    titles, env = HOSTILE_TITLES, hostile_env
    result = run_cli(*command, env=env)
    assert result.returncode == 0, result.stderr
    assert_safe(result.stdout)
    assert_safe(result.stderr)
    if "--json" in command:  # JSON escapes are lossless: the stored titles come back exactly
        strings = [text for line in result.stdout.splitlines() for text in _strings(json.loads(line))]
        with sqlite3.connect(tmp_path / "nw.db") as conn:
            stored = [row[0] for row in conn.execute("SELECT title FROM articles")]
        assert len(stored) == len(titles)
        missing = [title for title in stored if not any(title in text for text in strings)]
        assert not missing, missing[:3]


def _strings(obj: object) -> list[str]:
    if isinstance(obj, dict):
        return [t for v in obj.values() for t in _strings(v)]
    if isinstance(obj, list):
        return [t for v in obj for t in _strings(v)]
    return [obj] if isinstance(obj, str) else []


@pytest.mark.parametrize("ch", [*UNSAFE, "\ud800", "\udfff"])
def test_every_unsafe_character_is_escaped_and_json_stays_the_same_data(ch: str) -> None:
    assert ch not in cell(f"a{ch}b")
    if ch not in "\t\n":
        assert ch not in escape(f"a{ch}b")
    if not 0xD800 <= ord(ch) <= 0xDFFF:
        text = json.dumps({"title": f"a{ch}b"}, ensure_ascii=False)
        assert json.loads(escape(text)) == {"title": f"a{ch}b"}


@pytest.mark.slow  # every unsafe character through articles show
def test_articles_show_escapes_every_unsafe_character_and_its_json_is_lossless(
    tmp_path: Path, hostile_env: dict[str, str], run_cli: RunCli
) -> None:
    with sqlite3.connect(tmp_path / "nw.db") as conn:
        stored = dict(conn.execute("SELECT id, title FROM articles").fetchall())
    assert len(stored) == len(HOSTILE_TITLES)
    for article_id, title in stored.items():
        shown = run_cli("articles", "show", str(article_id), env=hostile_env)
        assert shown.returncode == 0, shown.stderr
        assert_safe(shown.stdout)
        assert f"  title      {cell(title)}" in shown.stdout  # the title on its own line, escaped
        as_json = json.loads(run_cli("articles", "show", str(article_id), "--json", env=hostile_env).stdout)
        assert as_json["title"] == title and title in as_json["text"]
