"""Outlet declarations: the built-in presets live in ``presets.toml`` (data, not code).

Code for an outlet exists only for a real quirk, in ``quirks.py`` next to these declarations,
and is switched on by name from a declaration's ``quirks`` list.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

PRESETS_PATH = Path(__file__).with_name("presets.toml")


def source_url(base_url: str, path: str) -> str:
    """A declared feed, sitemap or listing path made absolute (a full URL is kept as it is)."""
    if path.startswith(("http://", "https://")):
        return path
    return base_url.rstrip("/") + "/" + path.lstrip("/")


def load_presets() -> dict[str, dict[str, Any]]:
    """The built-in outlet declarations, keyed by slug, as raw tables for config parsing."""
    with PRESETS_PATH.open("rb") as fh:
        return tomllib.load(fh)
