"""Reading the data files in ``language/data/`` (TOML), once each, on first use."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


@functools.cache
def load(name: str) -> dict[str, Any]:
    """The parsed ``language/data/<name>.toml`` (cached: callers must not modify it)."""
    with (DATA / f"{name}.toml").open("rb") as file:
        return tomllib.load(file)
