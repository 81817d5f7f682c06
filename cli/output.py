"""What the commands print and read: JSON lines, aligned tables, ages.

Output goes to ``sys.stdout`` as it is when a line is written (never bound at import), so a
caller or a test that swaps the stream gets everything.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cli import terminal


def print_json(obj: Any) -> None:
    """One JSON object on one line (UTF-8 text kept as it is)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def parse_json_lines(lines: Iterable[str]) -> Iterator[tuple[int, Any, str | None]]:
    """``(line number, value, None)`` per non-blank line, or ``(line number, None, reason)``
    for a line that is not JSON."""
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield lineno, json.loads(line), None
        except json.JSONDecodeError as exc:
            yield lineno, None, f"not valid JSON ({exc.msg})"


class JsonLinesIn:
    """JSON objects read from a stream (stdin), one per line, for commands that answer each.

    A line that is not JSON, or that ``check`` rejects (it raises ``ValueError`` with the
    reason), is reported and skipped: the reason on stderr, and ``error_record(line, reason)``
    on stdout in its place, so the output keeps one line per input. ``bad`` counts them.
    """

    def __init__(
        self,
        stream: Iterable[str],
        check: Callable[[Any], dict[str, Any]],
        error_record: Callable[[int, str], dict[str, Any]],
    ) -> None:
        self.stream = stream
        self.check = check
        self.error_record = error_record
        self.bad = 0

    def __iter__(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for lineno, value, reason in parse_json_lines(self.stream):
            if reason is None:
                try:
                    yield lineno, self.check(value)
                    continue
                except ValueError as exc:
                    reason = str(exc)
            self.bad += 1
            print(f"error: stdin line {lineno}: {reason}", file=sys.stderr)
            print_json(self.error_record(lineno, reason))
            sys.stdout.flush()


@dataclass(frozen=True)
class Column:
    """A table column: ``width`` 0 is the last, free column (two spaces before it)."""

    title: str
    width: int = 0
    right: bool = False  # numbers
    clip: int | None = None  # longer text is cut to this many characters


def table(columns: Sequence[Column], rows: Iterable[Sequence[object]]) -> str:
    """A header line and one line per row, each cell padded to its column."""

    def line(cells: Sequence[object]) -> str:
        out = ""
        for i, (column, cell) in enumerate(zip(columns, cells, strict=True)):
            text = terminal.cell(cell)  # a title's line break or ESC stays inside its cell
            if column.clip is not None:
                text = text[: column.clip]
            if i:
                out += "  " if column.width == 0 else " "
            out += f"{text:>{column.width}}" if column.right else f"{text:<{column.width}}"
        return out

    return "\n".join([line([c.title for c in columns]), *(line(row) for row in rows)])


def count(n: int, one: str, many: str | None = None) -> str:
    """'1 copy', '2 copies', '0 articles': a number with its noun in the right number."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def ago(iso_time: str | None, now: datetime) -> str:
    """'5m ago' or 'in 3m' for a table; '-' for never."""
    if not iso_time:
        return "-"
    seconds = (now - datetime.fromisoformat(iso_time)).total_seconds()
    future, seconds = seconds < 0, abs(seconds)
    if seconds < 90:
        text = f"{int(seconds)}s"
    elif seconds < 90 * 60:
        text = f"{int(seconds // 60)}m"
    elif seconds < 48 * 3600:
        text = f"{int(seconds // 3600)}h{int(seconds % 3600 // 60):02d}"
    else:
        text = f"{int(seconds // 86400)}d"
    return f"in {text}" if future else f"{text} ago"
