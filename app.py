"""The composition root: the one place that builds Newswatch's parts and wires them together.

``crawler``, ``storage`` and ``alerts`` never import each other's insides (crawler and alerts
only import storage); ``App`` holds what a command or the daemon needs, each part built once
and only when first used: the configuration, the engine and session factory, the compiled
watches (``matcher``), the near-duplicate index and the ingest path that stores an article
and queues its alerts in one transaction. ``cli`` and ``daemon`` are its only users.

Commands that write call ``upgrade()`` (Alembic, the only path to the schema); commands that
only read call ``require_schema()``, which never migrates and never creates a database.

Reads the configuration from ``--config``, else ``NEWSWATCH_CONFIG``, else ``config.toml``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

import config as config_module
from config import Config, ConfigError, WatchConfig

if TYPE_CHECKING:
    import httpx
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from alerts.dispatch import Dispatcher
    from alerts.outbox import Outbox
    from alerts.watches import Matcher
    from storage.dedup.embedding import Embedder
    from storage.dedup.index import StoryIndex
    from storage.ingest import Ingestor
    from storage.prepare import Preparer
    from storage.records import ArticleRecord

log = logging.getLogger("newswatch.app")


def load_config(path: str | None = None) -> Config:
    """The configuration from ``path`` (else ``NEWSWATCH_CONFIG``, else ``config.toml``), checked
    in full: a watch query that does not parse or an unknown quirk is found here, at start."""
    from alerts.channels import CONFIG_TYPES
    from crawler.outlets import load_presets
    from crawler.outlets.quirks import KNOWN as KNOWN_QUIRKS

    chosen = path or os.environ.get("NEWSWATCH_CONFIG") or config_module.DEFAULT_CONFIG_PATH
    cfg = config_module.load_config(chosen, env=os.environ, presets=load_presets(), channel_types=CONFIG_TYPES)
    for outlet in (*cfg.outlets, *cfg.available):
        for i, quirk in enumerate(outlet.quirks):
            if quirk not in KNOWN_QUIRKS:
                expected = ", ".join(sorted(KNOWN_QUIRKS))
                raise ConfigError(
                    cfg.path, f"outlets.{outlet.slug}.quirks[{i}]", f"expected one of {expected}, got {quirk!r}"
                )
    return cfg


def build_matcher(cfg: Config, watches: Sequence[WatchConfig] | None = None) -> Matcher:
    """Compile the watches (default: the config's); a bad query names its key, line and column."""
    from alerts.watches import Matcher, WatchQueryError

    try:
        return Matcher.from_config(cfg.watches if watches is None else watches, cfg.lists)
    except WatchQueryError as exc:
        before = exc.query[: exc.position]
        line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        raise ConfigError(cfg.path, exc.key, f"{exc.message} (query line {line}, column {column})") from None


def semantic_model(cfg: Config) -> tuple[Embedder | None, str]:
    """The embedding model of the semantic route (``dedup.semantic``, ``dedup.model``), loaded,
    or None, with what ``status`` says about it."""
    from storage.dedup.embedding import load_embedder
    from storage.dedup.model import EmbedderUnavailable

    if cfg.dedup.semantic == "off":
        return None, _semantic_off
    try:
        embedder = load_embedder(cfg.dedup.model)
    except EmbedderUnavailable as exc:
        return None, f"off: {exc.reason} (dedup.model = {exc.model!r})"
    return embedder, _semantic_on(cfg, embedder.info.name)


def semantic_status(cfg: Config) -> str:
    """What ``semantic_model`` would say, without loading the model (``storage.dedup.model.probe_embedder``)."""
    from storage.dedup.model import EmbedderUnavailable, probe_embedder

    if cfg.dedup.semantic == "off":
        return _semantic_off
    try:
        return _semantic_on(cfg, probe_embedder(cfg.dedup.model))
    except EmbedderUnavailable as exc:
        return f"off: {exc.reason} (dedup.model = {exc.model!r})"


_semantic_off = "off (dedup.semantic = 'off')"


def _semantic_on(cfg: Config, name: str) -> str:
    scope = "articles that match a watch" if cfg.dedup.semantic == "watched" else "every article"
    return f"on: {name}, for {scope}"


class MatchesAWatch:
    """Whether an article matches one of ``watches``: which articles are worth an embedding
    (``dedup.semantic = "watched"``). Pickles without its compiled watches: a crawl carries it to
    its extraction processes (``storage.prepare.Preparer``), each compiles them on first use."""

    def __init__(
        self,
        watches: Sequence[WatchConfig],
        lists: Mapping[str, Mapping[str, tuple[str, ...]]],
        matcher: Matcher | None = None,
    ) -> None:
        self.watches = tuple(watches)
        self.lists = lists
        self._matcher = matcher

    def __getstate__(self) -> dict[str, object]:
        return {"watches": self.watches, "lists": self.lists, "_matcher": None}

    def __call__(self, record: ArticleRecord) -> bool:
        if self._matcher is None:
            from alerts.watches import Matcher

            self._matcher = Matcher.from_config(self.watches, self.lists)
        return bool(self._matcher.match(record.title, record.text, record.language))


class App:
    """Newswatch for one configuration: every part built on first use, then shared."""

    def __init__(self, config: Config) -> None:
        self.config = config
        # Set by the daemon to its DispatchLoop.wake: new alerts leave right after their commit.
        self.wake_dispatcher: Callable[[], None] | None = None

    @classmethod
    def load(cls, path: str | None = None) -> App:
        """The app for the configuration file at ``path``; every watch is compiled now, so a
        query that does not parse is a configuration error before anything else happens."""
        app = cls(load_config(path))
        app.matcher  # noqa: B018 (compiled for its errors)
        return app

    # ----------------------------------------------------------------------- database

    @cached_property
    def engine(self) -> Engine:
        from storage import db

        return db.make_engine(self.config.storage.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        from storage import db

        return db.session_factory(self.engine)

    def upgrade(self) -> None:
        """Bring the schema to the newest revision (creating the database if it is empty)."""
        from storage import db

        db.upgrade(self.config.storage.database_url)

    def require_schema(self) -> None:
        """For commands that only read: the database must exist and carry Newswatch's schema.

        Raises ``storage.db.SchemaNotReady`` (telling the user to run ``run.py db upgrade``)
        instead of creating or migrating anything."""
        from storage import db

        db.require_schema(self.config.storage.database_url, lambda: self.engine)

    def close(self) -> None:
        """Release the database connections (if any were opened)."""
        if "engine" in self.__dict__:
            self.engine.dispose()

    # ----------------------------------------------------------------------- matching and ingest

    @cached_property
    def matcher(self) -> Matcher:
        """Every configured watch, compiled."""
        return build_matcher(self.config)

    @cached_property
    def story_index(self) -> StoryIndex:
        """One story index per process, loaded from the database on first use; with the
        semantic route when its model loads (``dedup.semantic = "watched"``: only for the
        articles that match a watch, where a missed link costs a second alert)."""
        from storage.dedup.index import StoryIndex

        embedder, said = semantic_model(self.config)
        (log.info if embedder is not None or self.config.dedup.semantic == "off" else log.warning)(
            "story linking, semantic route: %s", said
        )
        return StoryIndex(self.config.dedup.window, embedder=embedder, worth_embedding=self._worth_embedding())

    def _worth_embedding(self) -> MatchesAWatch | None:
        cfg = self.config
        return None if cfg.dedup.semantic == "all" else MatchesAWatch(cfg.watches, cfg.lists, self.matcher)

    def preparer(self) -> Preparer:
        """What prepares each crawled article for ingest in the crawl's extraction processes
        (``storage.prepare``; ``crawler.runner.run_crawl``'s ``prepare``): the story index's
        model (loaded there only when an article is worth it) and the same choice of articles."""
        from storage.prepare import Preparer

        cfg = self.config
        return Preparer(None if cfg.dedup.semantic == "off" else cfg.dedup.model, self._worth_embedding())

    @cached_property
    def _ingestor(self) -> Ingestor:
        from storage.ingest import Ingestor

        return Ingestor(self.sessions, index=self.story_index, on_stored=[self.outbox()])

    def ingestor(self) -> Ingestor:
        """The ingest path: dedup, store, then match and queue alerts in the same transaction."""
        return self._ingestor

    def outbox(self) -> Outbox:
        from alerts.outbox import Outbox
        from alerts.render import Renderer

        cfg = self.config
        renderer = Renderer.from_config(cfg)  # messages are rendered when queued, with the user's templates
        return Outbox(self.matcher, cfg.watches, cfg.alerts, renderer, on_enqueued=self._wake_dispatcher)

    def _wake_dispatcher(self) -> None:
        if self.wake_dispatcher is not None:
            self.wake_dispatcher()

    # ----------------------------------------------------------------------- delivery

    def dispatcher(self, client: httpx.Client | None = None) -> Dispatcher:
        """The alert dispatcher with every configured channel; one HTTP client for webhooks."""
        from alerts.channels import build_channels
        from alerts.dispatch import Dispatcher
        from alerts.render import Renderer

        if client is None:
            from alerts.channels.http import client as bounded_client

            client = bounded_client()
        channels = build_channels(self.config.channels, client)
        return Dispatcher(self.sessions, channels, Renderer.from_config(self.config), self.config.alerts)


def build_app(cfg: Config) -> App:
    """An app whose database is at the newest schema: for writers (and tests)."""
    app = App(cfg)
    app.upgrade()
    return app
