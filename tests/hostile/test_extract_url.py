"""``extract URL`` fetches under the crawl's rules, within one total deadline.

The review's inputs first: it followed a redirect to another service on the same host, and a
body trickling one byte at a time kept it reading far past ``crawler.timeout``. Then the class:
redirects off the site (other port, other host, other scheme), names resolving to a loopback
address, a server that never answers, and a body that never ends.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawler.site import Page, Site
from tests.helpers import RunCli, random_words

ARTICLE = (
    "<!doctype html><html><head><title>Navy patrol</title></head><body><article><h1>Navy patrol</h1>"
    + "".join(f"<p>{random_words(i, 40).capitalize()}.</p>" for i in range(5))
    + "</article></body></html>"
)


@pytest.fixture
def sites() -> Iterator[tuple[Site, Site]]:
    a, b = Site().start(), Site().start()
    yield a, b
    a.stop()
    b.stop()


def write_config(tmp_path: Path, timeout: str = "5s", outlet: str = "") -> Path:
    cfg = tmp_path / "config.toml"
    enabled = '"t"' if outlet else ""
    cfg.write_text(f'[crawler]\ntimeout = "{timeout}"\n[outlets]\nenabled = [{enabled}]\n{outlet}')
    return cfg


class Trickle:
    """Answers 200 with a body of one byte every ``every`` seconds, for ``seconds``; or nothing at all."""

    def __init__(self, every: float = 0.2, seconds: float = 60, silent: bool = False) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.every, self.seconds, self.silent = every, seconds, silent
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                if self.silent:
                    self.stopped.wait(self.seconds)
                    return
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><p>")
                end = time.monotonic() + self.seconds
                while time.monotonic() < end and not self.stopped.wait(self.every):
                    conn.sendall(b"x")
            except OSError:
                pass

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()


def test_a_redirect_to_another_port_is_not_followed(tmp_path: Path, sites: tuple[Site, Site], run_cli: RunCli) -> None:
    a, b = sites
    a.routes["/story"] = Page(status=302, headers={"Location": f"{b.url}/admin"})
    b.routes["/admin"] = Page(ARTICLE)
    result = run_cli("--config", str(write_config(tmp_path)), "extract", f"{a.url}/story")
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: refused {b.url}/admin: to another site (host and port)"
    assert b.hits == []


@pytest.mark.slow  # waits out a 2 s deadline
def test_a_trickling_body_ends_at_the_deadline(tmp_path: Path, run_cli: RunCli) -> None:
    """The error names the deadline that ended the fetch. The clock check cannot fail on a slow
    machine: the body trickles for 200 s (every read gets a byte well within any per-read
    timeout), the deadline is 2 s, and the bound 20 s: a fetch the total deadline does not cut
    reads ten times longer than the bound, a cut one takes ten times less."""
    slow = Trickle(every=0.2, seconds=200)
    try:
        started = time.monotonic()
        result = run_cli("--config", str(write_config(tmp_path, timeout="2s")), "extract", f"{slow.url}/story")
        took = time.monotonic() - started
    finally:
        slow.close()
    assert result.returncode == 1
    assert "no complete answer within crawler.timeout" in result.stderr
    assert took < 20, f"took {took:.1f}s with a 2s deadline"


@pytest.mark.slow  # waits out a 2 s deadline
def test_a_server_that_never_answers_ends_at_the_deadline(tmp_path: Path, run_cli: RunCli) -> None:
    silent = Trickle(silent=True, seconds=60)
    try:
        result = run_cli("--config", str(write_config(tmp_path, timeout="2s")), "extract", f"{silent.url}/story")
    finally:
        silent.close()
    assert result.returncode == 1 and "within crawler.timeout" in result.stderr


@pytest.mark.parametrize(
    "location",
    ["http://localhost:{port_a}/x", "{b}/x", "https://127.0.0.1:{port_b}/x", "http://[::1]:{port_a}/x",
     "file:///etc/passwd", "http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:{port_a}@{b_host}/x"],
)  # fmt: skip
def test_redirects_off_the_site_are_refused(
    tmp_path: Path, sites: tuple[Site, Site], location: str, run_cli: RunCli
) -> None:
    a, b = sites
    port_a, port_b = a.url.rsplit(":", 1)[1], b.url.rsplit(":", 1)[1]
    target = location.format(port_a=port_a, port_b=port_b, b=b.url, b_host=b.url.split("//", 1)[1])
    a.routes["/story"] = Page(status=302, headers={"Location": target})
    result = run_cli("--config", str(write_config(tmp_path, timeout="3s")), "extract", f"{a.url}/story")
    assert result.returncode == 1
    assert "refused" in result.stderr, result.stderr
    assert b.hits == [] and [h.path for h in a.hits] == ["/story"]


def test_redirects_within_the_site_are_followed(tmp_path: Path, sites: tuple[Site, Site], run_cli: RunCli) -> None:
    a, _ = sites
    a.routes["/story"] = Page(status=301, headers={"Location": "/moved"})
    a.routes["/moved"] = Page(status=302, headers={"Location": f"{a.url}/final"})
    a.routes["/final"] = Page(ARTICLE)
    result = run_cli("--config", str(write_config(tmp_path)), "extract", f"{a.url}/story")
    assert result.returncode == 0, result.stderr
    assert "Navy patrol" in result.stdout


def test_an_outlet_name_resolving_to_loopback_is_refused(
    tmp_path: Path, sites: tuple[Site, Site], run_cli: RunCli
) -> None:
    a, _ = sites
    port = a.url.rsplit(":", 1)[1]
    a.routes["/news/x"] = Page(ARTICLE)
    outlet = (
        f'[outlets.t]\nname = "T"\nbase_url = "{a.url}"\nlanguage = "en"\ntimezone = "UTC"\n'
        f'feeds = ["/feed"]\narticle_pattern = "^/news/"\ndomains = ["localhost:{port}"]\n'
    )
    result = run_cli(
        "--config", str(write_config(tmp_path, outlet=outlet)), "extract", f"http://localhost:{port}/news/x"
    )
    assert result.returncode == 1
    assert "resolves to 127.0.0.1, a private, loopback or link-local address" in result.stderr
    assert a.hits == []
