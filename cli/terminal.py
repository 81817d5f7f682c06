"""What reaches a terminal: text from outlets (titles, URLs, error messages) made harmless.

A title is written by a stranger; printed raw, an ESC sequence in it can clear the screen,
retitle the terminal window or hide lines, a carriage return can overwrite what was printed, and
a bidirectional override can make text read differently than it is. ``escape`` writes every
such character as a visible ``\\uXXXX`` escape (valid inside JSON strings too, so JSON output
stays exactly the same data); ``SafeStream`` applies it to everything a command prints, leaving
only tab and newline, which the program's own layout uses; ``cell`` also escapes those, for a
value inside a table row.
"""

from __future__ import annotations

import io
import re
from typing import Any, TextIO

# C0 controls (but tab and newline), DEL, C1 controls, the bidirectional marks, embeddings,
# overrides and isolates, line and paragraph separators, and lone surrogates (which cannot even
# be encoded for the terminal).
_BIDI_AND_SURROGATES = "\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_AND_SURROGATES}]")
_UNSAFE_IN_CELL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_AND_SURROGATES}]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def escape(text: str) -> str:
    """``text`` with every unsafe character written as ``\\uXXXX`` (tab and newline kept)."""
    return _UNSAFE.sub(_escaped, text)


def cell(value: object) -> str:
    """A table cell: ``escape``, and tab and newline too (a value stays on its row)."""
    return _UNSAFE_IN_CELL.sub(_escaped, str(value))


class SafeStream(io.TextIOBase):
    """A text stream that escapes what it is given before writing it to ``raw``.

    ``raw`` stays reachable for the program's own control sequences (a progress line's
    carriage return and erase-line)."""

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(escape(text))
        return len(text)

    def flush(self) -> None:
        self.raw.flush()

    def isatty(self) -> bool:
        return self.raw.isatty()

    def fileno(self) -> int:
        return self.raw.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.raw.encoding

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)
