"""The schema machinery: durations, ``setting()`` (a key's default, documentation and range),
and how values and ranges are written back for people (README's table, error messages).

Each key's documentation and accepted range live in its dataclass field's metadata, written
with ``setting()``. The parser (``config.loading``) checks the ranges and
``config.reference.reference_table()`` renders README's configuration table from the same
fields, so the two cannot drift (``scripts/config_table.py`` rewrites the table; a test fails
when README differs).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any


class Duration(float):
    """Seconds, written in the file as a number of seconds or a string like "10m", "1h30m", "2d"."""


_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> Duration:
    """Parse "90s", "10m", "1h30m", "7d" into seconds; raise ValueError on anything else."""
    compact = text.strip().lower().replace(" ", "")
    if not compact:
        raise ValueError("empty duration")
    pos, total = 0, 0.0
    for match in _DURATION_RE.finditer(compact):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos = match.end()
    if pos != len(compact):
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 10m, 1h30m, 7d)")
    return Duration(total)


@dataclass(frozen=True)
class Limit:
    """A numeric key's accepted range: ``low``..``high`` inclusive, ``low`` excluded if ``above``."""

    low: float | None = None
    high: float | None = None
    above: bool = False

    def admits(self, value: float) -> bool:
        if self.low is not None and (value <= self.low if self.above else value < self.low):
            return False
        return self.high is None or value <= self.high


def setting(
    default: Any = dataclasses.MISSING,
    *,
    doc: str,
    low: float | None = None,
    high: float | None = None,
    above: bool = False,
    unit: str = "",
    factory: Any = dataclasses.MISSING,
    shown: str = "",
) -> Any:
    """A config key: its default, what it means (README), and for numbers its accepted range.

    ``unit="bytes"`` shows sizes as KiB/MiB; ``shown`` replaces the default in README when the
    value in code says less than a sentence would.
    """
    limit = Limit(low, high, above) if low is not None or high is not None else None
    meta = {"doc": doc, "limit": limit, "unit": unit, "shown": shown}
    if factory is not dataclasses.MISSING:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


DAY = 86400.0
YEAR = 365 * DAY


def format_duration(seconds: float) -> str:
    """The shortest way to write ``seconds`` as config.toml would take it: 90 -> "1m30s"."""
    if seconds == 0:
        return "0s"
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    out, rest = "", seconds
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if rest >= size:
            out += f"{int(rest // size)}{unit}"
            rest -= size * int(rest // size)
    if rest:
        out += f"{rest:g}s"
    return out


def format_bytes(size: float) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale and size % scale == 0:
            return f"{int(size // scale)} {unit}"
    return f"{int(size)} bytes"


def show_value(value: Any, spec: dataclasses.Field[Any]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Duration) or _field_kind(spec) is Duration:
        return format_duration(float(value))
    if spec.metadata.get("unit") == "bytes":
        return format_bytes(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:g}"
    return str(value)


def _field_kind(spec: dataclasses.Field[Any]) -> Any:
    # With postponed annotations a field's type is its source text ("Duration | None").
    return Duration if str(spec.type).startswith("Duration") else spec.type


def describe_limit(spec: dataclasses.Field[Any]) -> str:
    """``1s to 30d``, ``more than 0, at most 1``, ``at least 0``: what README and errors say."""
    limit: Limit | None = spec.metadata.get("limit")
    if limit is None:
        return ""
    low = None if limit.low is None else show_value(limit.low, spec)
    high = None if limit.high is None else show_value(limit.high, spec)
    if limit.above:
        return f"more than {low}" + (f", at most {high}" if high is not None else "")
    if low is not None and high is not None:
        return f"{low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"
