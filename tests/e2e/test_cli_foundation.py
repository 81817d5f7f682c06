"""The foundation as a user meets it: import the seed texts, list them, import again."""

from __future__ import annotations

import json
import re
import signal
from pathlib import Path

import pytest

from tests.helpers import ROOT, DaemonProcess, RunCli, shared_path


def seeds_jsonl(tmp_path: Path) -> Path:
    out = tmp_path / "seeds.jsonl"
    with out.open("w") as fh:
        for i, path in enumerate(sorted(shared_path("seeds").glob("*.txt"))):
            text = path.read_text()
            title = text.strip().splitlines()[0][:120]
            fh.write(json.dumps({"url": f"https://example.org/seed/{i}", "title": title, "text": text}) + "\n")
    return out


@pytest.mark.slow  # imports the real seed articles twice
def test_import_seeds_detects_languages_and_is_idempotent(tmp_path: Path, run_cli: RunCli) -> None:
    env = {"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'nw.db'}"}
    data = seeds_jsonl(tmp_path)
    first = run_cli("import", str(data), env=env)
    assert first.returncode == 0, first.stderr
    assert "imported 5 new articles" in first.stdout

    listed = run_cli("articles", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == 5
    assert sorted(r["language"] for r in rows) == ["en", "en", "en", "en", "vi"]

    again = run_cli("import", str(data), env=env)
    assert again.returncode == 0
    assert "nothing new" in again.stdout
    assert len(run_cli("articles", "--json", env=env).stdout.splitlines()) == 5


def test_import_html_uses_canonical_link(tmp_path: Path, run_cli: RunCli) -> None:
    env = {"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'nw.db'}"}
    page = tmp_path / "page.html"
    body = " ".join(["The Royal Malaysian Navy and the Vietnam People's Navy held talks in Kuala Lumpur."] * 8)
    page.write_text(
        '<html><head><title>Navies meet</title><link rel="canonical" href="https://en.qdnd.vn/military/news/navies-meet-1">'
        f"</head><body><article><h1>Navies meet</h1><p>{body}</p><p>{body}</p></article></body></html>"
    )
    result = run_cli("import", str(page), env=env)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in run_cli("articles", "--json", env=env).stdout.splitlines()]
    assert rows[0]["url"] == "https://en.qdnd.vn/military/news/navies-meet-1"


def test_bad_import_file_is_one_line_error(tmp_path: Path, run_cli: RunCli) -> None:
    env = {"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'nw.db'}"}
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"url": "https://example.org/1", "text": "ok"}\n{not json\n')
    result = run_cli("import", str(bad), env=env)
    assert result.returncode == 1
    assert "bad.jsonl:2" in result.stderr and "Traceback" not in result.stderr


def test_help_lists_every_command(run_cli: RunCli) -> None:
    result = run_cli("--help")
    for command in ("run", "db", "import", "articles", "status"):
        assert f"\n    {command} " in result.stdout


@pytest.mark.slow  # the daemon in a subprocess
def test_daemon_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    # The shipped config with no outlet enabled: the test never reaches the internet (the
    # daemon against sandbox outlets is in tests/e2e/test_daemon.py).
    shipped = (ROOT / "config.toml").read_text(encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(re.sub(r"(?m)^enabled = \[.*\]$", "enabled = []", shipped, count=1), encoding="utf-8")
    env = {"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'nw.db'}", "PATH": "/usr/bin:/bin"}
    daemon = DaemonProcess("--config", str(config), "run", env=env, log_dir=tmp_path, inherit_env=False)
    try:
        daemon.wait_for_log("daemon started")
        assert daemon.stop(signal.SIGTERM, timeout=60) == 0, daemon.log()
    finally:
        daemon.kill()  # never leave a daemon behind
