"""Testing and tuning a watch from the command line: ``match`` on sample texts, ``backtest`` on
stored articles, and a broken query reported as a configuration error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import ROOT, RunCli

CASES = ROOT / "tests" / "fixtures" / "watches" / "hard_cases.jsonl"
SEIZURE = {
    "id": "a1",
    "title": "MMEA detains Vietnamese boat",
    "text": "KUANTAN: The Malaysian Maritime Enforcement Agency detained a Vietnamese fishing boat with 12 crew.",
}
FOOTBALL = {"id": "a2", "title": "Vietnam beat Malaysia", "text": "Vietnam beat Malaysia 2-1 in the AFF Cup final."}


def test_match_prints_one_line_per_input_with_marked_snippets_and_survives_bad_lines(run_cli: RunCli) -> None:
    stdin = "\n".join([json.dumps(SEIZURE), json.dumps(FOOTBALL), "{not json", ""]) + "\n"
    result = run_cli("match", input=stdin)
    assert result.returncode == 1  # a bad line is an error, but every other line was answered
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a1", "a2", None]
    (hit,) = lines[0]["matches"]
    assert hit["watch"] == "vietnam-malaysia-defence" and hit["score"] > 0
    assert {"MMEA", "Vietnamese"} <= set(hit["terms"])
    assert any("**Malaysian Maritime Enforcement Agency**" in s for s in hit["snippets"])
    assert lines[1]["matches"] == []
    assert "not valid JSON" in lines[2]["error"]
    assert "stdin line 3" in result.stderr


def test_match_with_an_unknown_watch_names_the_known_ones(run_cli: RunCli) -> None:
    result = run_cli("match", "--watch", "nope", input="")
    assert result.returncode == 2  # a usage problem: the watch is not declared
    assert "no watch named 'nope'" in result.stderr and "vietnam-malaysia-defence" in result.stderr


def test_a_query_that_does_not_parse_is_a_config_error_with_key_line_and_column(
    tmp_path: Path, run_cli: RunCli
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[lists.navy]\nen = ["navy"]\n\n[watches.navies]\nquery = """\n@navy AND\n  (MMEA OR APMM"""\n')
    result = run_cli("--config", str(config), "status", env={"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert result.returncode == 2
    assert "watches.navies.query" in result.stderr
    assert "expected ')'" in result.stderr and "query line 2, column 16" in result.stderr


@pytest.mark.slow  # imports and matches the real seed articles
def test_backtest_shows_what_the_watch_would_have_alerted(tmp_path: Path, run_cli: RunCli) -> None:
    env = {"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'nw.db'}"}
    articles = tmp_path / "articles.jsonl"
    cases = [json.loads(line) for line in CASES.read_text().splitlines()]
    with articles.open("w") as fh:
        for case in cases:
            record = {"url": f"https://example.org/{case['id']}", "title": case["title"] or "", "text": case["text"]}
            fh.write(json.dumps({**record, "language": case["language"]}) + "\n")
    assert run_cli("import", str(articles), env=env).returncode == 0

    result = run_cli("backtest", "vietnam-malaysia-defence", "--since", "1h", "--json", env=env)
    assert result.returncode == 0, result.stderr
    alerted = {json.loads(line)["url"].rsplit("/", 1)[1] for line in result.stdout.splitlines()}
    assert alerted == {case["id"] for case in cases if case["label"]}
    assert f"{len(alerted)} alerts from {len(cases)} articles" in result.stderr

    tuned = run_cli("backtest", "--query", 'Indonesia* NEAR/s (ditahan OR seized OR "bắt giữ")', env=env)
    assert tuned.returncode == 0, tuned.stderr
    assert "terms:" in tuned.stdout and "alerts from" in tuned.stdout
    indonesian = sum("indonesia" in case["id"] for case in cases)  # the Indonesian stories
    assert tuned.stdout.count("https://example.org/") == indonesian

    typo = run_cli("backtest", "--query", "navy AND (MMEA", env=env)
    assert typo.returncode == 2  # a usage problem: the query given on the command line
    assert "--query: expected ')'" in typo.stderr and typo.stderr.rstrip().endswith(" " * 14 + "^")
