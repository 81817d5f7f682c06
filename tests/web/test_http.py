"""The console over HTTP: credentials and the bind refusal, security headers, read-only,
/metrics, /healthz and the Atom feeds (checked against RFC 4287's required elements)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import feedparser
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from storage import db, heartbeat
from storage.models import utcnow
from tests.web.conftest import Served, build_database, serving
from tests.web.data import SCRIPT_TITLE
from web.app import create_app
from web.errors import UnsafeBind
from web.security import check_bind
from web.server import Console

ATOM = "{http://www.w3.org/2005/Atom}"


def get(served: Served, path: str, **kw: object) -> httpx.Response:
    return httpx.get(served.url + path.lstrip("/"), timeout=10, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- safe by default


def test_a_public_bind_without_credentials_is_refused(tmp_path: Path) -> None:
    from sandbox.webhook import WebhookReceiver
    from tests.web.data import ENV, console_config

    receiver = WebhookReceiver()  # only its URL is needed: never started
    receiver.stop()  # gives its port back
    open_cfg = console_config(f"sqlite:///{tmp_path / 'x.db'}", receiver, receiver)
    with pytest.raises(UnsafeBind, match=r"refusing to serve on 0\.0\.0\.0 without credentials"):
        check_bind(open_cfg.web, "0.0.0.0")
    with pytest.raises(UnsafeBind):
        check_bind(open_cfg.web, "my-host.example.org")  # a name may resolve to anything
    check_bind(open_cfg.web, "127.0.0.1")
    check_bind(open_cfg.web, "::1")
    check_bind(open_cfg.web, "localhost")
    token_cfg = console_config(f"sqlite:///{tmp_path / 'x.db'}", receiver, receiver, token_env="WEB_TOKEN")
    assert token_cfg.web.token == ENV["WEB_TOKEN"]
    check_bind(token_cfg.web, "0.0.0.0")


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """A console with a token and a password, answering to any host name."""
    cfg = build_database(tmp_path_factory.mktemp("guarded"), token_env="WEB_TOKEN", password_env="WEB_PASSWORD")
    engine = db.make_engine(cfg.storage.database_url)
    with serving(cfg, db.session_factory(engine)) as client:
        client.headers["Host"] = "newswatch.example.org"
        yield client
    engine.dispose()


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_credentials_are_required_when_set(guarded: httpx.Client) -> None:
    refused = guarded.get("/stories")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith('Basic realm="Newswatch"')
    assert guarded.get("/stories", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    assert guarded.get("/feeds/watches.atom?token=s3cret-token").status_code == 200
    assert guarded.get("/metrics", headers=basic("newswatch", "pass word")).status_code == 200
    assert guarded.get("/stories", headers=basic("newswatch", "wrong")).status_code == 401
    assert guarded.get("/stories", headers=basic("admin", "pass word")).status_code == 401
    assert guarded.get("/stories", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert guarded.get("/stories", headers={"Authorization": "Basic %%%"}).status_code == 401
    assert guarded.get("/stories?token=nope").status_code == 401
    assert guarded.get("/healthz").status_code == 200  # a load balancer's probe has no credentials


def test_feed_self_link_never_carries_the_token(guarded: httpx.Client) -> None:
    body = guarded.get("/feeds/watches.atom?token=s3cret-token").content
    assert b"s3cret-token" not in body


def test_loopback_console_answers_only_to_loopback_names(served: Served) -> None:
    assert get(served, "/stories").status_code == 200
    rebound = get(served, "/stories", headers={"Host": "attacker.example:8765"})
    assert rebound.status_code == 421
    assert get(served, "/stories", headers={"Host": "localhost:8765"}).status_code == 200


def test_every_response_forbids_scripts_and_framing(served: Served) -> None:
    for path in ("/stories", "/stories/999999", "/static/style.css", "/feeds/watches.atom", "/metrics", "/healthz"):
        answer = get(served, path)
        csp = answer.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe-inline" not in csp, path
        assert "frame-ancestors 'none'" in csp
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_read_only(served: Served) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert httpx.request(method, served.url + "stories", timeout=10).status_code == 405
        assert httpx.request(method, served.url + "watches/maritime", timeout=10).status_code == 405


def test_unknown_things_are_404_pages(served: Served) -> None:
    for path in ("/stories/999999", "/articles/999999", "/outlets/nope", "/watches/nope", "/feeds/watches/nope.atom"):
        answer = get(served, path)
        assert answer.status_code == 404, path
    assert "no story 999999" in get(served, "/stories/999999").text
    assert get(served, "/stories?since=soon").status_code == 400


# --------------------------------------------------------------------------- metrics and health


def test_metrics_report_the_database(served: Served) -> None:
    answer = get(served, "/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }
    assert samples[("newswatch_articles_stored_total", (("outlet", "thesun"),))] == 2
    assert samples[("newswatch_articles_stored_total", (("outlet", "bernama-en"),))] == 4
    assert samples[("newswatch_crawls_total", (("outlet", "thesun"), ("status", "failed")))] == 1
    assert samples[("newswatch_crawls_total", (("outlet", "bernama-en"), ("status", "partial")))] == 1
    assert samples[("newswatch_stories", ())] == 7
    assert samples[("newswatch_deliveries", (("channel", "desk"), ("status", "delivered")))] == 3
    assert samples[("newswatch_deliveries", (("channel", "pager"), ("status", "pending")))] == 2
    assert samples[("newswatch_alert_queue_depth", ())] == 2
    assert samples[("newswatch_alert_oldest_pending_age_seconds", ())] >= 0
    assert ("newswatch_outlet_last_success_timestamp_seconds", (("outlet", "qdnd"),)) in samples
    assert ("newswatch_outlet_last_success_timestamp_seconds", (("outlet", "thesun"),)) not in samples
    assert samples[("process_resident_memory_bytes", ())] > 10_000_000


def test_healthz_follows_the_database_and_the_daemon_heartbeat(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    sessions = db.session_factory(engine)
    from tests.helpers import make_config

    with serving(make_config({"storage": {"database_url": url}}), sessions) as client:
        assert client.get("/healthz").json() == {
            "status": "ok",
            "database": "ok",
            "daemon": "none",
            "daemon_beat_at": None,
        }
        now = utcnow()
        with sessions.begin() as session:
            heartbeat.start(session, now - timedelta(minutes=5), interval=15)
        answer = client.get("/healthz")
        assert answer.status_code == 503 and answer.json()["daemon"] == "stale"  # killed: no clean stop
        with sessions.begin() as session:
            heartbeat.beat(session, now)
        assert client.get("/healthz").json()["daemon"] == "ticking"
        with sessions.begin() as session:
            heartbeat.stop(session, now)
        answer = client.get("/healthz")
        assert answer.status_code == 200 and answer.json()["daemon"] == "stopped"
    engine.dispose()

    down = db.make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 2})
    with serving(make_config({}), db.session_factory(down)) as client:
        answer = client.get("/healthz")
        assert answer.status_code == 503 and answer.json()["status"] == "unavailable"
    down.dispose()


def test_console_stops_cleanly_from_a_thread(served: Served) -> None:
    console = Console(create_app(served.config, db.session_factory(served.engine)), "127.0.0.1", 0)
    console.start()
    assert httpx.get(console.url + "healthz", timeout=5).status_code == 200
    console.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(console.url + "healthz", timeout=2)


# --------------------------------------------------------------------------- Atom


def check_atom(document: bytes) -> ET.Element:
    """RFC 4287's requirements that a reader relies on: a feed with id, title, updated (RFC
    3339) and an author, a self link; each entry with a unique id, title, updated, an
    alternate link or content, and html content that parses."""
    root = ET.fromstring(document)
    assert root.tag == f"{ATOM}feed"

    def one(parent: ET.Element, tag: str) -> str:
        found = parent.findall(f"{ATOM}{tag}")
        assert len(found) == 1, f"{tag}: {len(found)}"
        return found[0].text or ""

    def rfc3339(value: str) -> None:
        from datetime import datetime

        assert value.endswith("Z") or value[-6] in "+-", value
        datetime.fromisoformat(value.replace("Z", "+00:00"))

    assert one(root, "id").startswith("urn:uuid:")
    assert one(root, "title")
    rfc3339(one(root, "updated"))
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    assert [link.get("rel") for link in root.findall(f"{ATOM}link")].count("self") == 1
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        ids.append(one(entry, "id"))
        assert one(entry, "title")
        rfc3339(one(entry, "updated"))
        rfc3339(one(entry, "published"))
        links = {link.get("rel"): link.get("href") for link in entry.findall(f"{ATOM}link")}
        assert str(links["alternate"]).startswith("https://")
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.get("type") == "html"
        ET.fromstring(f"<div>{content.text}</div>")  # well-formed, escaped markup
    assert len(ids) == len(set(ids))
    return root


def test_feeds_are_valid_atom_with_stable_ids(served: Served) -> None:
    everything = get(served, "/feeds/watches.atom")
    assert everything.headers["content-type"] == "application/atom+xml; charset=utf-8"
    root = check_atom(everything.content)
    assert len(root.findall(f"{ATOM}entry")) == 3  # the stories the two watches alerted for
    assert check_atom(get(served, "/feeds/watches.atom").content).findall(f"{ATOM}entry/{ATOM}id") is not None
    again = [e.text for e in ET.fromstring(get(served, "/feeds/watches.atom").content).iter(f"{ATOM}id")]
    assert again == [e.text for e in root.iter(f"{ATOM}id")]

    parsed = feedparser.parse(everything.content)
    assert not parsed.bozo and parsed.version == "atom10"
    titles = [e.title for e in parsed.entries]
    assert SCRIPT_TITLE in titles  # as text: the feed escapes it
    wire = next(e for e in parsed.entries if e.title.startswith("MMEA detains"))
    assert wire.link == "https://www.bernama.com/en/news.php?id=2001"
    assert "Also reported by" in wire.content[0].value and "thesun" in wire.content[0].value
    assert "MMEA" in wire.content[0].value
    raw = next(e for e in root.iter(f"{ATOM}entry") if (e.findtext(f"{ATOM}title") or "").startswith("MMEA detains"))
    assert "<mark>MMEA</mark>" in (raw.findtext(f"{ATOM}content") or "")  # feedparser drops <mark>, readers keep it
    assert [t.term for t in wire.tags] == ["maritime"]

    navy = feedparser.parse(get(served, "/feeds/watches/navy-vi.atom").content)
    assert not navy.bozo and [e.title for e in navy.entries] == ["Tư lệnh Hải quân Malaysia thăm Việt Nam"]
    assert navy.entries[0].id not in {e.id for e in parsed.entries}  # one id per feed and entry


def test_a_story_page_says_why_each_article_joined_as_ingest_recorded_it(served: Served) -> None:
    """The "why" column is what ingest stored (``joined_by``), and a copy other outlets ran is listed."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from storage.models import Article

    with Session(served.engine) as session:
        wire, reprint = session.scalars(
            select(Article).where(Article.url.like("%2001") | Article.url.like("%mmea-holds-vietnamese-boat"))
            .order_by(Article.id)
        ).all()  # fmt: skip
        assert wire.story_id == reprint.story_id and reprint.joined_by is not None
        route, story_id = reprint.joined_by["route"], wire.story_id
    page = get(served, f"/stories/{story_id}").text
    assert f"{route} of article {wire.id}" in page
    assert "first report" in page
    assert "vietnamplus" in page and "https://www.vietnamplus.vn/mmea-detains-boat-1" in page
    assert f'the same text as <a href="/articles/{wire.id}">article {wire.id}</a>' in page
