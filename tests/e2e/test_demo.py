"""``run.py demo`` as a newcomer runs it: offline, from any folder.

What it shows is asserted here; how long it takes ("a few seconds" in the README) is a figure of
``bench/demo_bench.py``: the demo crawls seven outlets in a child process and sends alerts, and
took 37-40 s at a load of 15 on the 2-core CI machine: its duration depends on the machine's
load, not on anything the demo does wrong. The only clock left here is the subprocess's hang
guard (240 s, six times the slowest run seen), so the test cannot fail on a slow machine.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_process

pytestmark = pytest.mark.slow  # the whole demo: every sandbox outlet crawled, alerts sent


def test_demo_crawls_the_sandbox_outlets_merges_stories_and_shows_the_alerts_it_sent(tmp_path: Path) -> None:
    shipped_db = ROOT / "data" / "newswatch.db"
    before = shipped_db.stat().st_mtime if shipped_db.exists() else None
    ignored = {"NEWSWATCH_DATABASE_URL": "sqlite:////nonexistent/ignored.db"}
    result = run_process("demo", cwd=tmp_path, env=ignored, timeout=240)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for slug in ("qdnd", "qdnd-en", "vietnamnews", "bernama-en", "bernama-bm", "thesun", "vietnamplus"):
        assert re.search(rf"^{re.escape(slug)}\s+ok\s+\d+\s+\d+\s+[1-9]\d*\s", out, re.M), f"{slug} stored nothing"
    stored = int(re.search(r"(\d+) articles stored", out).group(1))  # type: ignore[union-attr]
    stories = re.search(r"(\d+) articles became (\d+) stories; (\d+) were reported more than once", out)
    assert stories and int(stories.group(1)) == stored and int(stories.group(3)) >= 1
    assert re.search(r"\d+ articles from \S+, \S+", out)  # a merged story names its outlets
    alerts = re.search(r"Alerts: (\d+) delivered: (\d+) emails and (\d+) webhooks", out)
    assert alerts and int(alerts.group(2)) >= 1 and int(alerts.group(2)) == int(alerts.group(3))
    assert "Subject: [VN-MY]" in out  # the shipped watch's label
    assert re.search(r"webhook-signature: v1,\S+", out) and '"type": "watch.match"' in out
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())  # nothing left behind in the folder it ran from
    assert (shipped_db.stat().st_mtime if shipped_db.exists() else None) == before
