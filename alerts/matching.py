"""Watch matching: a pure function from an article's text to the watches it matches.

INTERFACE (agreed between the watches and the alerts work; implementation in progress):
``Matcher.from_config(watches, lists)`` compiles every enabled watch once;
``Matcher.match(title, text, language)`` returns one ``WatchHit`` per matching watch, with
the score, the terms that fired and highlighted snippets. No I/O, no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from config import WatchConfig


@dataclass(frozen=True)
class Snippet:
    """A short excerpt; ``spans`` are (start, end) offsets of matched terms within ``text``."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()

    def marked(self, before: str = "**", after: str = "**") -> str:
        out, pos = [], 0
        for start, end in self.spans:
            out += [self.text[pos:start], before, self.text[start:end], after]
            pos = end
        out.append(self.text[pos:])
        return "".join(out)


@dataclass(frozen=True)
class WatchHit:
    watch: str
    score: float
    terms: tuple[str, ...]
    snippets: tuple[Snippet, ...]


class Matcher:
    def __init__(self, watches: Sequence[WatchConfig], lists: Mapping[str, Mapping[str, tuple[str, ...]]]) -> None:
        self.watches = [w for w in watches if w.enabled]
        self.lists = lists

    @classmethod
    def from_config(
        cls, watches: Sequence[WatchConfig], lists: Mapping[str, Mapping[str, tuple[str, ...]]]
    ) -> Matcher:
        return cls(watches, lists)

    def match(self, title: str, text: str, language: str | None = None) -> list[WatchHit]:
        return []
