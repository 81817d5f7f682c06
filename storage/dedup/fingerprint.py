"""What is stored with each article so the story index can be rebuilt from the database.

``articles.fingerprint`` is a small binary record: a header (format version, counts, family
length), the article's outlet families (its own, then those of exact copies dropped since,
joined by ``FAMILY_SEP``), then its sampled shingle keys (``storage.dedup.shingles``) and its
anchor hashes (names and numbers, ``storage.dedup.evidence``) as little-endian 64-bit ints.
``articles.signals`` holds the evidence itself as JSON. A record of another format version
reads as ``None``: the article is then simply not indexed.

Reads no configuration.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

FORMAT_VERSION = 1
# An article's outlet families: its own, then those of exact copies dropped since (one string).
FAMILY_SEP = "\x1f"

_HEADER = struct.Struct("<BBBB")  # version, samples, anchors, family length


@dataclass(frozen=True)
class Fingerprint:
    """What is stored with an article so the index can be rebuilt from the database."""

    data: bytes | None = None
    signals: dict[str, Any] | None = None
    embedding: bytes | None = None  # ``storage.dedup.embedding.pack``: only for articles worth it


@dataclass(frozen=True)
class Parsed:
    """A fingerprint record read back: index keys and the packed outlet families."""

    samples: list[int]
    anchors: list[int]
    family: str | None


def pack(samples: list[int], anchors: list[int], family: str | None) -> bytes:
    fam = (family or "").encode("utf-8")[:255]
    header = _HEADER.pack(FORMAT_VERSION, len(samples), len(anchors), len(fam))
    return header + fam + struct.pack(f"<{len(samples) + len(anchors)}Q", *samples, *anchors)


def unpack(data: bytes | None) -> Parsed | None:
    if not data or len(data) < _HEADER.size:
        return None
    version, ns, na, nf = _HEADER.unpack_from(data)
    if version != FORMAT_VERSION or len(data) != _HEADER.size + nf + 8 * (ns + na):
        return None
    family = data[_HEADER.size : _HEADER.size + nf].decode("utf-8") or None
    values = struct.unpack_from(f"<{ns + na}Q", data, _HEADER.size + nf)
    return Parsed(list(values[:ns]), list(values[ns:]), family)
