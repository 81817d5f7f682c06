"""A name on the command line that the configuration does not declare (an outlet, a watch, a
channel) is a usage problem: exit status 2, one line naming what is declared, whatever the
command (README "Command line": 2 is a configuration or usage problem, 1 a failure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import RunCli

UNDECLARED = [
    ("crawl", "nope"),
    ("crawl-errors", "nope"),
    ("status", "nope"),
    ("outlets", "check", "nope"),
    ("extract", "--outlet", "nope", "-"),
    ("match", "--watch", "nope"),
    ("backtest", "nope"),
    ("alerts", "test", "nope"),
]


@pytest.mark.parametrize("argv", UNDECLARED, ids=" ".join)
def test_an_undeclared_name_is_a_usage_error_that_names_the_declared_ones(
    argv: tuple[str, ...], tmp_path: Path, run_cli: RunCli
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[outlets]\nenabled = ["qdnd"]\n[watches.navies]\nquery = "navy"\n'
        '[channels.ops]\ntype = "webhook"\nurl = "http://127.0.0.1:9/hook"\nunsigned = true\n'
    )
    run_cli("--config", str(config), "db", "upgrade", env={"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path}/nw.db"})
    result = run_cli("--config", str(config), *argv, env={"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path}/nw.db"})
    assert result.returncode == 2, result.stderr
    assert "nope" in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    if argv[0] in ("crawl", "crawl-errors", "status", "outlets", "extract"):
        assert "qdnd" in result.stderr
    if argv[0] in ("match", "backtest"):
        assert "navies" in result.stderr
    if argv[0] == "alerts":
        assert "ops" in result.stderr


def test_backtest_without_a_watch_or_a_query_is_a_usage_error(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("backtest", env={"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path}/nw.db"})
    assert result.returncode == 2 and "name a WATCH" in result.stderr


def test_status_and_crawl_errors_of_a_declared_outlet_not_yet_enabled_say_so(tmp_path: Path, run_cli: RunCli) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        """
[outlets]
enabled = ["qdnd"]
[outlets.my-paper]
name = "My Paper"
base_url = "https://news.example.org"
language = "en"
timezone = "Asia/Kuala_Lumpur"
feeds = ["/rss"]
article_pattern = '^/news/'
"""
    )
    env = {"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path}/nw.db"}
    run_cli("--config", str(config), "db", "upgrade", env=env)
    for command in ("status", "crawl-errors"):
        result = run_cli("--config", str(config), command, "my-paper", env=env)
        assert result.returncode == 2, command
        assert "my-paper is declared but not enabled" in result.stderr, command
        assert "outlets check my-paper" in result.stderr, command
