"""Where the crawler may go: an outlet's sites are hosts *with their ports*, and an address that
is not globally routable is refused after DNS resolution, on every request and redirect.

The review's input first: a feed on ``localhost:A`` listed an article on ``localhost:B``, which
was fetched and stored. Then the class: the site rule over a family of URLs, redirects to
another port, names that resolve to loopback, and the address rule over every kind of local
address (IPv4, IPv6, mapped, link-local, shared, unspecified).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest

from crawler.addresses import local_host, outlet_sites, refused_address, url_allowed
from tests.crawler.site import Page, Site
from tests.helpers import RunCli, random_words

NOW = format_datetime(datetime.now(UTC))
RSS = "application/rss+xml; charset=utf-8"


def article(title: str, seed: int) -> str:
    paras = "".join(f"<p>{random_words(seed * 10 + i, 40).capitalize()}.</p>" for i in range(5))
    head = f"<!doctype html><html><head><title>{title}</title></head>"
    return f"{head}<body><article><h1>{title}</h1>{paras}</article></body></html>"


def feed(urls: list[str]) -> Page:
    items = "".join(
        f"<item><title>t{i}</title><link>{u}</link><pubDate>{NOW}</pubDate></item>" for i, u in enumerate(urls)
    )
    return Page(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>', content_type=RSS
    )


@pytest.fixture
def sites() -> Iterator[tuple[Site, Site]]:
    a, b = Site().start(), Site().start()
    yield a, b
    a.stop()
    b.stop()


def crawl(
    run_cli: RunCli, tmp_path: Path, base_url: str, domains: list[str] | None = None, allow_private: bool = False
) -> tuple[list[str], dict[str, str]]:
    """``run.py crawl`` of one outlet; returns the stored URLs and the recorded errors by URL."""
    db = tmp_path / "nw.db"
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[storage]\ndatabase_url = "sqlite:///{db}"\n'
        '[crawler]\ndownload_delay = "0s"\nretries = 0\ntimeout = "5s"\n'
        f"allow_private_addresses = {str(allow_private).lower()}\n"
        '[outlets]\nenabled = ["t"]\n[outlets.t]\nname = "T"\nlanguage = "en"\ntimezone = "UTC"\n'
        f'base_url = "{base_url}"\nfeeds = ["/feed.xml"]\narticle_pattern = "^/news/"\n'
        f"domains = {json.dumps(domains or [])}\n"
    )
    result = run_cli("--config", str(cfg), "crawl", "--quiet")
    assert "Traceback" not in result.stderr, result.stderr
    with sqlite3.connect(db) as conn:
        stored = [row[0] for row in conn.execute("SELECT url FROM articles")]
        errors = {row[0]: row[1] for row in conn.execute("SELECT url, reason FROM crawl_errors")}
    return stored, errors


def test_a_feed_on_one_port_cannot_get_an_article_on_another_port_fetched(
    tmp_path: Path, sites: tuple[Site, Site], run_cli: RunCli
) -> None:
    a, b = sites
    port_b = b.url.rsplit(":", 1)[1]
    base = a.url.replace("127.0.0.1", "localhost")
    a.routes["/feed.xml"] = feed([f"{base}/news/home", f"http://localhost:{port_b}/news/other"])
    a.routes["/news/home"] = Page(article("Navy patrol at home", 1))
    b.routes["/news/other"] = Page(article("Other service's page", 2))
    stored, _ = crawl(run_cli, tmp_path, base)
    assert stored == [f"{base}/news/home"]
    assert b.hits == [], "the other port was contacted"


def test_a_redirect_to_another_port_of_the_same_host_is_refused(
    tmp_path: Path, sites: tuple[Site, Site], run_cli: RunCli
) -> None:
    a, b = sites
    a.routes["/feed.xml"] = feed([f"{a.url}/news/moved"])
    a.routes["/news/moved"] = Page(status=302, headers={"Location": f"{b.url}/news/secret"})
    b.routes["/news/secret"] = Page(article("Internal", 3))
    stored, errors = crawl(run_cli, tmp_path, a.url)
    assert stored == [] and b.hits == []
    assert errors[f"{a.url}/news/moved"] == "offsite-redirect"


@pytest.mark.slow  # two crawls
def test_a_name_of_the_outlet_resolving_to_loopback_is_refused_unless_allowed(
    tmp_path: Path, sites: tuple[Site, Site], run_cli: RunCli
) -> None:
    a, _ = sites
    port = a.url.rsplit(":", 1)[1]
    # the outlet itself is on 127.0.0.1 (allowed: its own base_url), but "localhost" is only one
    # of its domains: a name that resolves to a loopback address is refused
    a.routes["/feed.xml"] = feed([f"http://localhost:{port}/news/direct", f"{a.url}/news/hop"])
    a.routes["/news/hop"] = Page(status=302, headers={"Location": f"http://localhost:{port}/news/landing"})
    a.routes["/news/direct"] = Page(article("Direct", 4))
    a.routes["/news/landing"] = Page(article("Landing", 5))
    stored, errors = crawl(run_cli, tmp_path, a.url, domains=[f"localhost:{port}"])
    assert stored == []
    assert errors[f"http://localhost:{port}/news/direct"] == "private-address"
    assert errors[f"{a.url}/news/hop"] == "private-address"  # the redirect's target was refused
    assert not any(hit.headers.get("Host", "").startswith("localhost") for hit in a.hits)
    # ... and a documented setting allows it
    again = tmp_path / "allowed"
    again.mkdir()
    stored, _ = crawl(run_cli, again, a.url, domains=[f"localhost:{port}"], allow_private=True)
    assert sorted(stored) == [f"http://localhost:{port}/news/direct", f"http://localhost:{port}/news/landing"]


SITES = outlet_sites("http://news.example.org", ["example.net", "cdn.example.com:8443"])


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://news.example.org/a", True),
        ("https://news.example.org/a", True),  # http -> https stays on the site
        ("http://news.example.org:80/a", True),
        ("https://news.example.org:443/a", True),
        ("http://news.example.org:8080/a", False),  # another port: another service
        ("http://NEWS.example.org./a", True),
        ("http://www.example.net/a", True),  # a subdomain of a domain
        ("http://evilexample.net/a", False),
        ("http://example.net.evil.org/a", False),
        ("http://cdn.example.com:8443/a", True),
        ("http://cdn.example.com/a", False),
        ("http://news.example.org@127.0.0.1/a", False),  # userinfo is not the host
        ("http://127.0.0.1:80@news.example.org/a", True),
        ("http://news.example.org:99999/a", False),  # a bad port
        ("ftp://news.example.org/a", False),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
    ],
)
def test_the_site_rule_compares_host_and_port(url: str, allowed: bool) -> None:
    assert url_allowed(url, SITES) is allowed


def test_an_address_outlet_admits_no_subdomain_trick() -> None:
    sites = outlet_sites("http://127.0.0.1:8000")
    assert url_allowed("http://127.0.0.1:8000/x", sites)
    assert not url_allowed("http://evil.127.0.0.1:8000/x", sites)
    assert not url_allowed("http://127.0.0.1:8001/x", sites)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "127.1.2.3", "10.0.0.5", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
     "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1",
     "fd12:3456::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::1", "not-an-address"],
)  # fmt: skip
def test_local_addresses_are_refused(address: str) -> None:
    assert refused_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "203.119.8.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"])
def test_global_addresses_are_allowed(address: str) -> None:
    assert not refused_address(address)


@pytest.mark.parametrize(
    ("host", "local"),
    [("127.0.0.1", True), ("localhost", True), ("api.localhost", True), ("[::1]", True), ("10.1.2.3", True),
     ("news.example.org", False), ("8.8.8.8", False), ("localhost.example.org", False)],
)  # fmt: skip
def test_local_outlets_are_those_written_as_local_addresses(host: str, local: bool) -> None:
    assert local_host(host) is local
