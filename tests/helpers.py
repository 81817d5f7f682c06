"""Helpers shared by tests: configurations from dicts, the shared research data, the CLI."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from alerts.channels import CONFIG_TYPES
from config import Config, config_from_dict
from crawler.outlets import load_presets

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
POSTGRES_URL = os.environ.get("NEWSWATCH_TEST_POSTGRES_URL")


def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_config(data: dict[str, Any] | None = None, env: dict[str, str] | None = None) -> Config:
    return config_from_dict(data or {}, env=env or {}, presets=load_presets(), channel_types=CONFIG_TYPES)


# Everyday news words: random sentences of them make texts that match no watch and are no
# near-copy of each other (each seed gives its own text).
WORDS = [
    "navy",
    "coast",
    "guard",
    "patrol",
    "vessel",
    "harbour",
    "minister",
    "talks",
    "agreement",
    "fisheries",
    "crew",
    "boat",
    "waters",
    "officers",
    "exercise",
    "cooperation",
    "training",
    "port",
    "visit",
    "delegation",
    "security",
    "maritime",
    "ministry",
    "province",
    "weather",
    "market",
    "farmers",
    "school",
    "bridge",
    "festival",
    "railway",
    "budget",
    "hospital",
    "river",
    "village",
    "council",
    "teachers",
    "engineers",
    "exports",
    "rice",
    "coffee",
    "rubber",
    "timber",
    "tourists",
    "museum",
    "airport",
]


def random_words(seed: int, count: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(count))


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared research data not found at {path}")
    return path


@dataclass(frozen=True)
class CliResult:
    """What a user sees of one command: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


# The ``run_cli`` fixture: ``run_cli("status", "--json", env={...}, cwd=..., input="...")``.
RunCli = Callable[..., CliResult]


def run_process(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``run.py`` in a subprocess (NEWSWATCH_* variables cleared), for the tests where the
    process itself matters: the real entry point, signals, a second daemon. Everything else uses
    the in-process ``run_cli`` fixture (tests/conftest.py), which is much faster."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=timeout,
        input=input,
    )
