"""Shingles: the text of an article as overlapping runs of ``SHINGLE`` words, for finding and
verifying copies in the same language (``storage.dedup.index``); pure functions.

Words are case-folded and without diacritics (``language.fold``: a copy that lost its tone
marks is still a copy). ``sample_keys`` picks, by content, the few shingles stored with each
article as its near-duplicate index keys (stable hashes, so they can be stored);
``shingle_set`` and ``longest_shared_run`` verify a candidate on the stored texts (process-local
hashes, never stored).

Reads no configuration.
"""

from __future__ import annotations

import functools
import hashlib
import re
import zlib

from language import fold

SHINGLE = 4
# Keep a shingle as an index key when its hash is 0 modulo this: the choice depends only on
# the shingle, so the part two texts share yields the same keys in both (a local paragraph
# or a cut ending does not change the keys of the rest).
SAMPLE_MOD = 16
MAX_SAMPLES = 32

_WORD_RE = re.compile(r"\w+")


def stable_hash(value: str) -> int:
    """A 64-bit hash that is the same in every process (Python's ``hash`` is salted)."""
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest(), "little")


@functools.lru_cache(maxsize=16)
def words(text: str) -> tuple[str, ...]:
    """Case-folded words without diacritics (cached: fingerprinting and verifying one new
    article both need them)."""
    return tuple(_WORD_RE.findall(fold(text)))


@functools.lru_cache(maxsize=16)
def shingle_seq(text: str) -> tuple[int, ...]:
    """Process-local hashes of every run of ``SHINGLE`` words, in text order."""
    w = words(text)
    if len(w) < SHINGLE:
        return (hash(" ".join(w)),) if w else ()
    return tuple(hash(" ".join(w[i : i + SHINGLE])) for i in range(len(w) - SHINGLE + 1))


@functools.lru_cache(maxsize=256)
def shingle_set(text: str) -> frozenset[int]:
    """The shingles of ``shingle_seq`` as a set (for verifying a candidate; cached, because
    the stories of the day are the candidates of many new articles)."""
    return frozenset(shingle_seq(text))


def longest_shared_run(text: str, other: frozenset[int]) -> int:
    """The longest run of words of ``text`` that also occurs in the other text (whose
    shingles are ``other``): a reused sentence gives a long run, a shared phrase a short one.
    Consecutive shared shingles stand for one run, so it is an estimate from above only when
    two different passages happen to join, which needs a shared 4-word overlap at the seam."""
    best = run = 0
    for h in shingle_seq(text):
        run = run + 1 if h in other else 0
        best = max(best, run)
    return best + SHINGLE - 1 if best else 0


def sample_keys(text: str) -> list[int]:
    """Stable hashes of the sampled shingles: the keys of the near-duplicate index.

    CRC-32 (in C, stable across processes) picks the sample; the key is CRC-32 and Adler-32
    side by side, 64 bits, which is plenty for finding candidates that are verified anyway.
    """
    w = words(text)
    seen = {" ".join(w[i : i + SHINGLE]).encode("utf-8") for i in range(max(len(w) - SHINGLE + 1, 1))}
    keys = []
    for shingle in seen:
        crc = zlib.crc32(shingle)
        if crc % SAMPLE_MOD == 0:
            keys.append((crc << 32) | zlib.adler32(shingle))
    keys.sort()
    return keys[:MAX_SAMPLES]
