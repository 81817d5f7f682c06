"""The pure part of ingesting an article, done before the article reaches ingest.

Ingest (``storage.ingest``) is one writer by design: story linking must see every stored
article before it links the next. What it needs of an article that depends on the article
alone (the text made storable, its language, the hash of its normalised text, the dedup
fingerprint and signals, and for an article worth it the title-and-lead embedding: together
``ArticleRecord.prepared``) is therefore computed before (``Preparer``, handed to
``crawler.runner.run_crawl``): all but the embedding by the crawl's extraction processes, in
as many processes as the crawl has cores; the embedding by the process receiving the crawl's
articles (in cluster mode each worker, not the ingest role). It travels with the record (the
crawl child's message, in cluster mode the staged row). Ingest prepares a record that comes
without it (``import``, the demo's seeds, a row staged by an older version) the same way.

Which articles are worth the embedding is the caller's decision (run.py: the article matches a
watch, ``dedup.semantic = "watched"``; every article with ``"all"``), passed in as a function;
the model is ``dedup.model``, loaded once per process on first use.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from language import detect_language, normalize, storable
from storage.dedup import embedding, model
from storage.dedup.evidence import extract_signals
from storage.dedup.fingerprint import pack
from storage.dedup.shingles import sample_keys, stable_hash
from storage.records import ArticleRecord, Prepared

log = logging.getLogger(__name__)

Worth = Callable[[ArticleRecord], bool]
Embed = Callable[[ArticleRecord], "bytes | None"]  # a prepared record's packed embedding, or None


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()


def prepare(record: ArticleRecord, embed: Embed | None = None) -> ArticleRecord:
    """``record`` with storable text, its language and ``prepared`` (with the vector ``embed``
    gives, if any). A record with an empty text comes back without ``prepared``: ingest refuses it."""
    record = cleaned(record)
    if not record.text:
        return record
    signals = extract_signals(record.title, record.text)
    payload: dict[str, Any] = signals.to_json()
    if record.outlet_family:
        payload["family"] = record.outlet_family
    anchors = [stable_hash(a) for a in signals.anchors()]
    data = pack(sample_keys(record.text), anchors, record.outlet_family)
    vector = embed(record) if embed is not None else None
    return replace(record, prepared=Prepared(content_hash(record.text), data, payload, vector))


def cleaned(record: ArticleRecord) -> ArticleRecord:
    """``record`` with storable url, title, author and text (stripped), and its language
    detected when it has none; not prepared."""
    # A NUL or a lone surrogate (an imported JSON record may hold one) would make the
    # database refuse the record, and the rest of an import with it.
    record = replace(
        record,
        url=storable(record.url),
        title=storable(record.title),
        author=record.author and storable(record.author),
        text=storable(record.text).strip(),
        prepared=None,
    )
    if not record.text or record.language:
        return record
    return replace(record, language=detect_language(f"{record.title}\n{record.text}"))


def embedding_by(model: Callable[[], embedding.Embedder | None], worth: Worth | None) -> Embed:
    """The embedding of the articles ``worth`` accepts (every one when None) by ``model()``, which
    is asked only then (so a process that meets no such article never loads it)."""

    def embed(record: ArticleRecord) -> bytes | None:
        if worth is not None and not worth(record):
            return None
        embedder = model()
        return None if embedder is None else embedder.pack(embedder.embed(record.title, record.text))

    return embed


class Preparer:
    """``prepare`` with ``dedup.model`` (None: no embeddings) and the worth-embedding decision, in
    the two places a crawl runs it: ``extracted`` in its extraction processes (everything but the
    embedding: it pickles without its loaded model), ``embedded`` in the process that receives
    the crawl's articles, before they are ingested (a cluster's worker; in single-process mode
    the daemon). The embedding (about 0.2 s of a core for an article worth it) stays out of the
    crawl child, whose ``crawl_time_limit`` bounds fetching and extraction, not the semantic route."""

    def __init__(self, model: str | None, worth: Worth | None = None) -> None:
        self.model = model
        self.worth = worth
        self._embedder: embedding.Embedder | None = None
        self._loaded = False

    def __getstate__(self) -> dict[str, Any]:
        return {"model": self.model, "worth": self.worth}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["model"], state["worth"])  # type: ignore[misc]

    def __call__(self, record: ArticleRecord) -> ArticleRecord:
        """Prepared and, when worth it, embedded."""
        return self.embedded(self.extracted(record))

    def extracted(self, record: ArticleRecord) -> ArticleRecord:
        """Prepared without the embedding (``embedded`` adds it)."""
        return prepare(record)

    def embedded(self, record: ArticleRecord) -> ArticleRecord:
        """A prepared ``record`` with its embedding when it is worth one (as it was otherwise)."""
        if self.model is None or record.prepared is None or record.prepared.embedding is not None:
            return record
        vector = embedding_by(self._model, self.worth)(record)
        return record if vector is None else replace(record, prepared=replace(record.prepared, embedding=vector))

    def _model(self) -> embedding.Embedder | None:
        if not self._loaded:
            self._loaded = True
            try:
                self._embedder = embedding.load_embedder(self.model or model.BUNDLED)
            except model.EmbedderUnavailable as exc:
                log.warning("articles are prepared without embeddings: %s", exc)
        return self._embedder
