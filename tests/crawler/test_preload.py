"""The crawl fork server's imports (``crawler.child.PRELOAD``): what a crawl child would otherwise
import on every crawl (Scrapy's components: 1.2 s of a 1.4 s crawl that found nothing new) is
loaded once, and loading it installs no Twisted reactor and starts no thread, which would break
every crawl child forked from the server. Checked in a fresh interpreter, as the server starts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow  # a fresh interpreter importing Scrapy and the extractor: seconds

PROBE = """
import importlib, json, sys, threading
from crawler.child import PRELOAD
for name in PRELOAD:
    importlib.import_module(name)
loaded = set(sys.modules)
from scrapy.settings import Settings
from config.sections import CrawlerConfig
from crawler.preload import component_paths
from crawler.settings import scrapy_settings
paths = component_paths(Settings(scrapy_settings(CrawlerConfig())))
print(json.dumps({
    "reactor": "twisted.internet.reactor" in sys.modules,
    "threads": threading.active_count(),
    "paths": len(paths),
    "missing": [p for p in paths if p.rsplit(".", 1)[0] not in loaded],
}))
"""


def test_the_fork_server_loads_every_scrapy_component_without_a_reactor_or_a_thread() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["reactor"] is False  # the crawl child installs the asyncio reactor
    assert found["threads"] == 1  # forked from: a thread would not be copied, its locks would
    assert found["paths"] > 30 and found["missing"] == []  # middlewares, extensions, handlers ...
