"""Posting lists of the story index: key -> the slots of the held articles that have it.

A key is 32 bits of a 64-bit shingle or anchor hash; a slot is an article's place in the
index's arrays (renumbered at each compaction). Entries are kept as one sorted ``array`` of
``key << 32 | slot`` (8 bytes each) built at load time and at each compaction, plus a dict for
the articles added since.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left

import numpy as np

SLOT_BITS = 32  # a slot number; slots are renumbered from 0 whenever expired articles are dropped
SLOT_MASK = (1 << SLOT_BITS) - 1
MAX_POSTINGS = 256  # newest entries read per key: a common key says little anyway


def posting_key(h: int) -> int:
    """32 bits of a 64-bit hash (both halves folded in: a shingle key's high half is a CRC
    chosen to be 0 modulo 16); with a 32-bit slot it fits an unsigned 64-bit int."""
    return (h ^ (h >> 32)) & SLOT_MASK


class Postings:
    """key -> article slots: a sorted array of ``key << 32 | slot`` built at load time (and at
    each compaction) plus a dict for later adds."""

    def __init__(self) -> None:
        self.base = array("Q")
        self.extra: dict[int, list[int]] = {}

    def build(self, entries: list[int]) -> None:
        entries.sort()
        self.base = array("Q", entries)
        self.extra = {}

    def add(self, key: int, slot: int) -> None:
        self.extra.setdefault(key, []).append(slot)

    def get(self, key: int) -> list[int]:
        found = list(self.extra.get(key, ()))
        base = self.base
        lo = bisect_left(base, key << SLOT_BITS)
        hi = bisect_left(base, (key + 1) << SLOT_BITS, lo)
        found.extend(v & SLOT_MASK for v in base[max(lo, hi - MAX_POSTINGS) : hi])
        return found

    def compact(self, renumber: np.ndarray) -> None:
        """Keep the entries of the slots ``renumber`` maps to a new slot (not -1), renumbered."""
        extra = [(key << SLOT_BITS) | slot for key, slots in self.extra.items() for slot in slots]
        entries = np.concatenate([np.frombuffer(self.base, dtype=np.uint64), np.array(extra, dtype=np.uint64)])
        mask = np.uint64(SLOT_MASK)
        new = renumber[(entries & mask).astype(np.int64)]
        kept = new >= 0
        entries = (entries[kept] & ~mask) | new[kept].astype(np.uint64)
        entries.sort()
        self.base = array("Q", entries.tobytes())
        self.extra = {}

    def nbytes(self) -> int:
        return self.base.itemsize * len(self.base)
