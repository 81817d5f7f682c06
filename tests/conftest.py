"""Fixtures: a database of each supported kind at the newest schema, or an empty one (PostgreSQL
only when NEWSWATCH_TEST_POSTGRES_URL is set; under pytest-xdist each worker has a database of its own,
created here at session start and dropped at the end), and the command line run in this process."""

from __future__ import annotations

import io
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage import db
from tests.crawler.site import Page, Site
from tests.helpers import (
    CONFIGURED_POSTGRES_URL,
    POSTGRES_URL,
    ROOT,
    CliResult,
    RunCli,
    create_worker_database,
    drop_worker_database,
    reset_postgres,
    upgraded_postgres,
)

# A test not marked slow that takes longer than this (setup, call and teardown) is listed at the
# end of the run, to be marked @pytest.mark.slow or made cheaper: make test-fast stays fast as
# tests are added (800-odd fast tests in under a minute on two cores leave about 0.1 s each; a few
# may take up to this). A list, never a failure: durations depend on the machine and its load.
FAST_BUDGET = 1.5
_durations: dict[str, float] = {}
_marked_slow: set[str] = set()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _durations[report.nodeid] = _durations.get(report.nodeid, 0.0) + report.duration
    if "slow" in report.keywords:
        _marked_slow.add(report.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    over = sorted(
        ((took, nodeid) for nodeid, took in _durations.items() if nodeid not in _marked_slow and took > FAST_BUDGET),
        reverse=True,
    )
    if not over:
        return
    terminalreporter.section(f"tests not marked slow that took over {FAST_BUDGET:g}s: {len(over)}")
    for took, nodeid in over:
        terminalreporter.write_line(f"{took:6.1f}s {nodeid}")
    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores" if hasattr(os, "getloadavg") else ""
    terminalreporter.write_line(f"mark them @pytest.mark.slow or make them cheaper ({load})")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow run first, each group in its collection order. The scheduler below
    hands the tests out a few at a time as workers free up (at most three waiting per worker), so
    the long ones (daemons, clusters, full crawls) start at once, side by side, and the many short
    ones fill the gaps after them: the run does not end waiting for a long test started last.
    Every worker sorts the same collection the same way (xdist checks that they agree)."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


# Modules whose tests share one expensive module fixture: under pytest-xdist all their tests go
# to one worker, so the fixture is built once (test_presets crawls every preset's sandbox site,
# about 12 s). pytest-xdist's own ``--dist loadgroup`` cannot do this with pytest 9.2: the worker's
# nodeid suffix it groups by no longer takes effect.
ONE_WORKER_MODULES = frozenset({"tests/crawler/test_presets.py"})


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """pytest-xdist's scheduling by units of work, handed out in collection order (the slow tests
    first, see above; a worker is topped up to three waiting units): each test is a unit, except
    that each of ``ONE_WORKER_MODULES`` is one whole unit (the largest units go first)."""
    from xdist.scheduler import LoadScopeScheduling

    class ModulesKeptTogether(LoadScopeScheduling):  # type: ignore[misc]  # untyped base
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER_MODULES else nodeid

    return ModulesKeptTogether(config, log)


def pytest_sessionstart(session: pytest.Session) -> None:
    if CONFIGURED_POSTGRES_URL and POSTGRES_URL and POSTGRES_URL != CONFIGURED_POSTGRES_URL:
        create_worker_database(CONFIGURED_POSTGRES_URL, POSTGRES_URL)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if CONFIGURED_POSTGRES_URL and POSTGRES_URL and POSTGRES_URL != CONFIGURED_POSTGRES_URL:
        drop_worker_database(CONFIGURED_POSTGRES_URL, POSTGRES_URL)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database at the newest schema, migrated once per test process; the tests get
    copies of it (copying a file is milliseconds, Alembic's upgrade of an empty one a few
    hundred of them). ``tests/storage/test_migrations.py`` upgrades empty databases itself."""
    path = tmp_path_factory.mktemp("template") / "newswatch.db"
    db.upgrade(f"sqlite:///{path}")
    return path


def _sqlite_copy(template: Path, folder: Path) -> str:
    target = folder / "newswatch.db"
    shutil.copyfile(template, target)
    target.chmod(0o600)  # as the product creates it
    return f"sqlite:///{target}"


@pytest.fixture
def postgres_url() -> str:
    """The test PostgreSQL database, emptied (no schema); skipped where none is configured."""
    if not POSTGRES_URL:
        pytest.skip("NEWSWATCH_TEST_POSTGRES_URL is not set (CI sets it; see .ci/run)")
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each supported kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'newswatch.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A database of each supported kind at the newest schema, with no rows."""
    if request.param == "sqlite":
        return _sqlite_copy(sqlite_template, tmp_path)
    if not POSTGRES_URL:
        pytest.skip("NEWSWATCH_TEST_POSTGRES_URL is not set (CI sets it; see .ci/run)")
    upgraded_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A SQLite database at the newest schema, with no rows."""
    return _sqlite_copy(sqlite_template, tmp_path)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """Run a command as ``run.py ARGS`` would, in this process: ``cli.main(args)`` with the
    NEWSWATCH_* variables replaced by ``env``, in ``cwd`` (default: the project), ``input`` on
    stdin; returns the exit status and what went to stdout and stderr (log lines included)."""
    import cli

    def invoke(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None, input: str = "") -> CliResult:
        root = logging.getLogger()
        handlers, level = root.handlers[:], root.level  # main() sets up logging for a process
        capsys.readouterr()
        with monkeypatch.context() as patch:
            for name in [k for k in os.environ if k.startswith("NEWSWATCH_")]:
                patch.delenv(name)
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            patch.chdir(cwd or ROOT)
            patch.setattr(sys, "stdin", io.StringIO(input))
            try:
                code = cli.main(list(args))
            except SystemExit as exc:  # argparse: --help, usage errors
                code = exc.code if isinstance(exc.code, int) else 1
            finally:
                root.handlers[:] = handlers
                root.setLevel(level)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return invoke


@pytest.fixture
def site() -> Iterator[Site]:
    """A scripted outlet site on 127.0.0.1 (``tests/crawler/site.py``) whose robots.txt allows
    everything but ``/private/`` (where the robots tests put their forbidden links); a test sets
    its own routes, robots.txt included."""
    site = Site().start()
    site.routes["/robots.txt"] = Page("User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    yield site
    site.stop()
