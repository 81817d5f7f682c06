"""Fixtures for the console: one database built through the real paths (``tests.web.data``),
served by the real server (uvicorn in a thread) on 127.0.0.1, and headless Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config import Config
from sandbox.webhook import WebhookReceiver
from storage import db
from tests.web import data
from web.app import create_app
from web.server import Console


@dataclass
class Served:
    config: Config
    engine: Engine
    url: str  # ends with "/"


def build_database(folder: Path, **web: Any) -> Config:
    desk, pager = WebhookReceiver().start(), WebhookReceiver(mode="error").start()
    try:
        cfg = data.console_config(f"sqlite:///{folder / 'console.db'}", desk, pager, **web)
        data.build(cfg)
    finally:
        desk.stop()
        pager.stop()
    return cfg


@contextmanager
def serving(cfg: Config, sessions: sessionmaker[Session]) -> Iterator[httpx.Client]:
    """The console for ``cfg`` on a free port, and an HTTP client for it."""
    console = Console(create_app(cfg, sessions), "127.0.0.1", 0)
    console.start()
    try:
        with httpx.Client(base_url=console.url, timeout=10) as client:
            yield client
    finally:
        console.stop()


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    cfg = build_database(tmp_path_factory.mktemp("console"))
    engine = db.make_engine(cfg.storage.database_url)
    console = Console(create_app(cfg, db.session_factory(engine)), "127.0.0.1", 0)
    console.start()
    try:
        yield Served(cfg, engine, console.url)
    finally:
        console.stop()
        engine.dispose()


def chromium_path() -> str | None:
    return os.environ.get("NEWSWATCH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, driven by Playwright (never Playwright's own browser download)."""
    executable = chromium_path()
    if executable is None:
        reason = "chromium is not installed (apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()
