"""Discovery on hostile or odd documents: what is refused, what is still read."""

from __future__ import annotations

from datetime import UTC

import pytest

from crawler import discovery

BOMB = (
    '<?xml version="1.0" encoding="{enc}"?>\n'
    '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    '<rss version="2.0"><channel><title>&b;</title></channel></rss>'
)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "no-such-codec"])
def test_entity_declarations_are_refused_even_when_the_encoding_cannot_be_checked(encoding: str) -> None:
    body = BOMB.format(enc=encoding).encode("ascii")
    with pytest.raises(discovery.DiscoveryError) as caught:
        discovery.parse_feed(body, "application/rss+xml", UTC)
    assert caught.value.reason == "xml/unsafe"
    with pytest.raises(discovery.DiscoveryError):
        discovery.parse_sitemap(body.replace(b"rss", b"urlset"), UTC)


def test_external_entities_are_refused() -> None:
    body = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><urlset>&x;</urlset>'
    with pytest.raises(discovery.DiscoveryError) as caught:
        discovery.parse_sitemap(body, UTC)
    assert caught.value.reason == "xml/unsafe"


def test_a_utf16_feed_and_a_latin1_feed_read_right() -> None:
    rss = '<?xml version="1.0" encoding="{enc}"?><rss version="2.0"><channel><title>t</title><item><title>{t}</title><link>https://x.example/a</link></item></channel></rss>'
    utf16 = rss.format(enc="utf-16", t="Hải quân").encode("utf-16")
    assert [link.title for link in discovery.parse_feed(utf16, "application/rss+xml", UTC).links] == ["Hải quân"]
    latin = rss.format(enc="ISO-8859-1", t="General : Menteri Pertahanan café").encode("latin-1")
    feed = discovery.parse_feed(latin, "text/xml; charset=ISO-8859-1", UTC)
    assert feed.links[0].title == "General : Menteri Pertahanan café" and feed.links[0].published_at is None


def test_day_first_dates_without_a_zone_are_read_in_the_outlets_zone() -> None:
    from zoneinfo import ZoneInfo

    when = discovery.parse_date("29/09/2025 10:57 AM", ZoneInfo("Asia/Kuala_Lumpur"))
    assert when is not None and when.isoformat() == "2025-09-29T02:57:00+00:00"
    assert discovery.parse_date("Mon, 29 Sep 2025 10:57:00 +0700", UTC).hour == 3  # type: ignore[union-attr]
    assert discovery.parse_date("not a date", UTC) is None
