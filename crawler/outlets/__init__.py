"""Outlet declarations: the built-in presets live in ``presets.toml`` (data, not code).

Code for an outlet exists only for a real quirk, in ``quirks.py`` next to these declarations,
and is switched on by name from a declaration's ``quirks`` list.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

PRESETS_PATH = Path(__file__).with_name("presets.toml")


def load_presets() -> dict[str, dict[str, Any]]:
    """The built-in outlet declarations, keyed by slug, as raw tables for config parsing."""
    with PRESETS_PATH.open("rb") as fh:
        return tomllib.load(fh)
