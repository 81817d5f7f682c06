"""Files the program creates are readable by their owner only, whatever the umask.

The review's input first: with the usual umask 022 the database and the daemon's lock file
were created world-readable (-rw-r--r--). Then the class: every file a command leaves next to
the database (the file, its WAL and shared-memory files, the lock) and the folder it creates,
under permissive umasks.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT


def run_with_umask(umask: int, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        f"import os, runpy, sys; os.umask({umask}); sys.argv = ['run.py', *sys.argv[1:]]; "
        "runpy.run_path('run.py', run_name='__main__')"
    )
    full = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")} | env
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=120
    )


def group_or_other_bits(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode) & 0o077


@pytest.mark.slow  # the daemon in a subprocess
@pytest.mark.parametrize("umask", [0o022, 0o002, 0o000])
def test_database_lock_and_folder_are_owner_only(tmp_path: Path, umask: int) -> None:
    folder = tmp_path / "state" / "data"
    db = folder / "nw.db"
    config = tmp_path / "config.toml"
    config.write_text("[outlets]\nenabled = []\n")
    result = run_with_umask(
        umask, "--config", str(config), "run", "--once", env={"NEWSWATCH_DATABASE_URL": f"sqlite:///{db}"}
    )
    assert result.returncode == 0, result.stderr
    created = sorted(folder.iterdir())
    assert db in created and folder / "nw.db.daemon.lock" in created
    for path in created:
        assert group_or_other_bits(path) == 0, f"{path.name} is {oct(stat.S_IMODE(path.stat().st_mode))}"
    assert group_or_other_bits(folder) == 0
