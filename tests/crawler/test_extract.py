"""Extraction as the pipeline and an operator see it: real recorded pages, one hand-written page
per preset layout, dates, encodings, non-HTML input, and ``run.py extract`` end to end."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import trafilatura

from config import OutletConfig
from crawler.extract import Extracted, extract, parse_date
from tests.helpers import RunCli, make_config, shared_path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "extract"
NOW = datetime(2025, 10, 25, 12, 0, tzinfo=UTC)
CFG = make_config({"outlets": {"enabled": ["qdnd", "bernama-en", "thesun", "vietnamplus", "vietnamnews"]}})


def outlet(slug: str) -> OutletConfig:
    return CFG.outlet(slug)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def lines(result: Extracted) -> list[str]:
    return result.text.split("\n")


def qdnd_page(title: str, summary: str, body: str) -> str:
    """A qdnd article page around a recorded articleBody (the samples hold the body alone)."""
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<nav><a href='/'>Trang chủ</a> <a href='/quoc-te'>Quốc tế</a></nav>"
        f"<div class='post-content'><h1 class='post-title'>{title}</h1>"
        f"<div class='post-summary'>{summary}</div>{body}</div>"
        f"<footer><p>Báo Quân đội nhân dân</p></footer></body></html>"
    )


# --------------------------------------------------------------------------- recorded pages


def test_vnexpress_page_matches_the_fundus_expected_parse() -> None:
    html = shared_path("outlets", "samples", "vnexpress_article_2025-10-22__fundus-test-fixture.html").read_bytes()
    expected = json.loads(
        shared_path("outlets", "samples", "vnexpress_article_2025-10-22__fundus-expected-parse.json").read_text()
    )["V1"]
    url = "https://vnexpress.net/dau-bung-keo-dai-phat-hien-ung-thu-lymphoma-ruot-non-4954454.html"
    result = extract(html, url, now=NOW)
    assert result is not None
    assert result.title == expected["title"]
    assert result.published_at == datetime.fromisoformat(expected["publishing_date"])
    assert result.published_at.utcoffset() == timedelta(hours=7)
    assert result.author == expected["authors"][0]
    assert result.language == "vi"
    assert result.canonical_url == url
    # The lead (sapo) opens the text; then every body paragraph in order. Fundus counts the
    # picture caption as a paragraph; we drop captions, and the byline line becomes the author.
    paragraphs = expected["body"]["sections"][0]["paragraphs"]
    captions = [p for p in paragraphs if "Ảnh:" in p]
    assert len(captions) == 1
    assert lines(result) == expected["body"]["summary"] + [p for p in paragraphs if p not in captions]


def test_qdnd_raw_body_with_named_entities_decodes_and_loses_captions_and_trailer() -> None:
    sample = json.loads(
        shared_path(
            "outlets",
            "samples",
            "qdnd_articleBody-raw-html-with-entities_2025-01-15__github-mourinhan8-qdnd-crawler_request.json",
        ).read_text()
    )["postTranslations"][0]
    assert "&oacute;" in sample["content"]  # the sample really is entity-encoded
    page = qdnd_page(sample["title"], sample["description"], sample["content"])
    url = "https://www.qdnd.vn/quoc-phong-an-ninh/tin-tuc/x-820000"
    for html in (page, page.encode("utf-8")):
        result = extract(html, url, outlet=outlet("qdnd"), now=NOW)
        assert result is not None
        assert result.title == sample["title"]
        assert lines(result)[0].startswith("Chiều 15-1, tại Hà Nội, Thượng tướng Trịnh Văn Quyết")  # the lead
        assert "Dự hội nghị có đại biểu chỉ huy một số cơ quan chức năng Bộ Quốc phòng" in result.text
        assert "&" not in result.text and "oacute" not in result.text
        assert "Thượng tướng Trịnh Văn Quyết chủ trì hội nghị." not in lines(result)  # table caption
        assert "phát biểu chỉ đạo hội nghị." not in result.text  # caption dressed as <h2>
        assert "Mời bạn đọc" not in result.text
        assert result.author == "VĂN CHIỂN"
        assert result.language == "vi"


@pytest.mark.slow  # extracts every recorded qdnd page
def test_every_recorded_qdnd_body_extracts_with_its_lead_and_without_boilerplate() -> None:
    articles = json.loads(
        shared_path(
            "outlets",
            "samples",
            "qdnd_articleBody-html-fragments_2025-01-16__github-mourinhan8-qdnd-crawler_articles.json",
        ).read_text()
    )
    seen, bylines = set(), 0
    for item in articles:
        if item["title"] in seen:
            continue  # every article is in the sample twice
        seen.add(item["title"])
        page = qdnd_page(item["title"], item["summary"], item["article_text"])
        result = extract(page, "https://www.qdnd.vn/quoc-phong-an-ninh/tin-tuc/x-1", outlet=outlet("qdnd"), now=NOW)
        assert result is not None, item["title"]
        assert result.title == item["title"]
        assert lines(result)[0] == " ".join(item["summary"].split())
        assert len(result.text) > len(item["summary"]) + 200
        assert "Mời bạn đọc" not in result.text and "leftcenterrightdel" not in result.text
        if result.author:  # the closing bold credit ("Tin, ảnh: NAME") is the author, not text
            bylines += 1
            assert ":" not in result.author and result.author not in lines(result)[-1]
    assert len(seen) == 28
    assert bylines >= 25


# --------------------------------------------------------------------------- preset layouts


def test_qdnd_layout_keeps_summary_drops_caption_and_trailer_reads_local_date() -> None:
    result = extract(
        fixture("qdnd_article.html"), "https://www.qdnd.vn/quoc-te/doi-ngoai-quoc-phong/x-754100", outlet("qdnd"), NOW
    )
    assert result is not None
    assert result.title == "Hải quân Việt Nam và Malaysia tăng cường hợp tác"
    assert lines(result)[0].startswith("Sáng 29-9, tại Hà Nội, Tư lệnh Hải quân nhân dân Việt Nam")
    assert "Quang cảnh buổi tiếp đoàn." not in result.text
    assert "leftcenterrightdel" not in result.text and "Mời bạn đọc" not in result.text
    assert lines(result)[-1].startswith("Tư lệnh Hải quân Malaysia cảm ơn")
    assert result.author == "VĂN CHIỂN"
    # "Thứ Hai, 29/09/2025 - 14:30" on the page, no zone: Hanoi time.
    assert result.published_at == datetime(2025, 9, 29, 7, 30, tzinfo=UTC)
    assert result.published_at.utcoffset() == timedelta(hours=7)


def test_bernama_layout_in_windows_1252_strips_dateline_and_trailer() -> None:
    result = extract(
        fixture("bernama_article_cp1252.html"),
        "https://www.bernama.com/en/news.php?id=2470001",
        outlet("bernama-en"),
        NOW,
    )
    assert result is not None
    assert result.title == "Malaysia, Vietnam agree to step up maritime cooperation"
    assert lines(result)[0].startswith("Malaysia and Vietnam have agreed")  # "KUALA LUMPUR, Sept 29 (Bernama) -- " gone
    assert "the \u2018hotline\u2019 between" in result.text and "caf\u00e9" in result.text
    assert lines(result)[-1].endswith("The café talks continued later.")  # "-- BERNAMA" and the blurb gone
    assert "Other news" not in result.text
    assert result.published_at == datetime(2025, 9, 29, 2, 57, tzinfo=UTC)  # "29/09/2025 10:57 AM" in MYT


def test_syndicated_copies_compare_equal_after_datelines_and_credits_go() -> None:
    wire = extract(
        fixture("bernama_article_cp1252.html"),
        "https://www.bernama.com/en/news.php?id=2470001",
        outlet("bernama-en"),
        NOW,
    )
    copy = extract(
        fixture("thesun_article.html"), "https://thesun.my/malaysia-news/x-MA12345678", outlet("thesun"), NOW
    )
    assert wire is not None and copy is not None
    assert copy.text == wire.text
    assert "Navy vessels at the Lumut base" not in copy.text  # figcaption
    # JSON-LD "2025-09-29T13:05:00" has no zone: Kuala Lumpur time.
    assert copy.published_at == datetime(2025, 9, 29, 5, 5, tzinfo=UTC)
    assert (
        copy.canonical_url
        == "https://thesun.my/malaysia-news/malaysia-vietnam-agree-to-step-up-maritime-cooperation-MA12345678"
    )
    assert copy.author is None  # the organisation named as author is the site itself


def test_vietnamplus_layout_keeps_sapo_drops_caption_and_vietnamese_dateline() -> None:
    result = extract(
        fixture("vietnamplus_article.html"), "https://www.vietnamplus.vn/x-post1.vnp", outlet("vietnamplus"), NOW
    )
    assert result is not None
    assert result.title == "Việt Nam - Malaysia thúc đẩy hợp tác quốc phòng"  # " | Vietnam+ (VietnamPlus)" gone
    assert lines(result)[0].startswith("Bộ trưởng Quốc phòng hai nước nhất trí")
    assert lines(result)[1].startswith("Chiều 2/10, tại Hà Nội")  # "HÀ NỘI — " gone
    assert "Hai Bộ trưởng tại buổi hội đàm" not in result.text
    assert result.published_at == datetime(2025, 10, 2, 2, 15, tzinfo=UTC)


def test_vietnamnews_layout_strips_vna_dateline() -> None:
    result = extract(
        fixture("vietnamnews_article.html"), "https://vietnamnews.vn/politics-laws/1/x.html", outlet("vietnamnews"), NOW
    )
    assert result is not None
    assert result.title == "Việt Nam, Malaysia hold defence policy dialogue"
    assert lines(result)[0].startswith("Deputy Minister of National Defence")
    assert result.language == "en"


def test_user_defined_outlet_hints_and_no_hints_at_all() -> None:
    cfg = make_config(
        {
            "outlets": {
                "enabled": ["my-paper"],
                "my-paper": {
                    "name": "My Paper",
                    "base_url": "https://news.example.org",
                    "language": "en",
                    "timezone": "Asia/Kuala_Lumpur",
                    "article_pattern": "^/a/",
                    "feeds": ["/rss.xml"],
                    "strip_patterns": [r"Follow us on WhatsApp.*$"],
                    "selectors": {"body": "div.story", "remove": ".promo", "date": "p.when"},
                },
            }
        }
    )
    story = " ".join(["The two navies held a joint search and rescue exercise off the coast of Sabah."] * 3)
    more = "Ships and aircraft from both sides took part, and a further drill is planned for next year in Vietnam."
    page = (
        "<html><head><title>Joint exercise</title></head><body><h1>Joint exercise</h1>"
        "<p class='when'>Published 29 Sept 2025, 9:05 PM</p>"
        f"<div class='story'><p>{story}</p><div class='promo'><p>Subscribe to our newsletter for the best stories"
        f" of the week, every week, free of charge.</p></div><p>{more}</p>"
        "<p>Follow us on WhatsApp for the latest news.</p></div></body></html>"
    )
    result = extract(page, "https://news.example.org/a/1", cfg.outlet("my-paper"), NOW)
    assert result is not None
    assert lines(result) == [story, more]
    assert result.published_at == datetime(2025, 9, 29, 13, 5, tzinfo=UTC)
    assert result.language == "en"
    bare = extract(page, "https://news.example.org/a/1", now=NOW)  # no outlet: still an article
    assert bare is not None and story in bare.text
    assert bare.language == "en"  # detected


# --------------------------------------------------------------------------- dates


def test_a_long_page_laid_out_in_tables_extracts_in_full() -> None:
    """A legacy CMS puts the article in a layout table, with data tables in it: trafilatura with
    favor_precision and without tables finds nothing there; plain trafilatura finds the article,
    and so must we."""
    html = fixture("maritime_agency_table_layout.html")
    assert trafilatura.extract(html.decode(), favor_precision=True, include_tables=False) is None
    paper = OutletConfig(
        slug="bulletin",
        name="Maritime Affairs Bulletin",
        base_url="https://bulletin.test",
        language="en",
        timezone="Asia/Kuala_Lumpur",
        article_pattern=r"^/news/",
        listings=("/news/",),
    )
    url = "https://bulletin.test/news/enforcement/20771.html"
    result = extract(html, url, paper, now=NOW.replace(year=2026, month=12))
    assert result is not None
    assert result.title == "Maritime agency reports 2026 enforcement figures for Sabah and Sarawak waters"
    assert result.text.startswith("The maritime enforcement agency detained 41 foreign fishing vessels")
    assert "hotline between the two coast guards" in result.text
    assert result.text.rstrip().endswith("built at the Lumut shipyard is expected to be handed over.")
    assert "Best viewed" not in result.text and "Related news" not in result.text
    assert result.published_at == datetime(2026, 11, 14, 2, 42, tzinfo=UTC)


def _layout(body: str) -> str:
    return (
        "<html><head><title>Fleet review</title></head><body><nav><a href='/'>Home</a> <a href='/a'>About</a></nav>"
        f"<div class='content'><h1>Fleet review</h1>{body}</div><footer>(c) The Paper</footer></body></html>"
    )


_PARAS = [
    f"Paragraph {i}: the Royal Malaysian Navy and the Vietnam People's Navy discussed fisheries "
    "enforcement and the detention of fishing boats in overlapping waters, officials said on Tuesday."
    for i in range(10)
]
_ROWS = "".join(f"<tr><td>Vessel {i}</td><td>{1000 + 37 * i} t</td><td>{2010 + i}</td></tr>" for i in range(12))
_TABLE = f"<table><tr><th>Ship</th><th>Displacement</th><th>Commissioned</th></tr>{_ROWS}</table>"


@pytest.mark.parametrize(
    "body",
    [
        "<table><tr><td>" + "".join(f"<p>{p}</p>" for p in _PARAS) + _TABLE + "</td></tr></table>",
        "<table>" + "".join(f"<tr><td>{p}</td></tr>" for p in _PARAS) + "</table>",
        "<table><tr><td width='200'><a href='/x'>Menu</a></td><td>" + "<br>".join(_PARAS) + "</td></tr></table>",
        "".join(f"<p>{p}</p>" + (_TABLE if i % 3 == 2 else "") for i, p in enumerate(_PARAS)),
        "<div>" + "".join(f"<div>{p}</div>" for p in _PARAS) + "</div>",
    ],
    ids=["layout-table", "text-in-cells", "two-column-table", "data-tables-between", "div-soup"],
)
def test_extraction_never_returns_nothing_where_plain_trafilatura_finds_an_article(body: str) -> None:
    html = _layout(body)
    plain = trafilatura.extract(html) or ""
    assert len(plain) > 500
    result = extract(html, "https://paper.test/news/1", now=NOW)
    assert result is not None and "Paragraph 9" in result.text and "Paragraph 0" in result.text


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("Thứ Hai, 29/09/2025 - 14:30", "Asia/Ho_Chi_Minh", "2025-09-29T14:30:00+07:00"),
        ("29/09/2025 10:57 AM", "Asia/Kuala_Lumpur", "2025-09-29T10:57:00+08:00"),
        ("29/09/2025 10:57 PM", "Asia/Kuala_Lumpur", "2025-09-29T22:57:00+08:00"),
        ("Thứ tư, 22/10/2025, 19:25 (GMT+7)", "UTC", "2025-10-22T19:25:00+07:00"),
        ("May 13, 2024 - 14:21", "Asia/Ho_Chi_Minh", "2024-05-13T14:21:00+07:00"),
        ("13 Ogos 2024, 3:05 PM", "Asia/Kuala_Lumpur", "2024-08-13T15:05:00+08:00"),
        ("5 Dis 2023", "Asia/Kuala_Lumpur", "2023-12-05T00:00:00+08:00"),
        ("2 mars 2025 10h30", "Europe/Paris", "2025-03-02T10:30:00+01:00"),
        ("2025-10-02T09:15:00Z", "Asia/Ho_Chi_Minh", "2025-10-02T09:15:00+00:00"),
        ("2025-10-02 09:15:00", "Asia/Ho_Chi_Minh", "2025-10-02T09:15:00+07:00"),
    ],
)
def test_dates_are_read_day_first_in_the_outlet_zone(text: str, zone: str, expected: str) -> None:
    from zoneinfo import ZoneInfo

    value = parse_date(text, ZoneInfo(zone))
    assert value is not None
    assert value == datetime.fromisoformat(expected)
    assert value.utcoffset() == datetime.fromisoformat(expected).utcoffset()


def _dated_page(*metas: str, jsonld: str = "") -> str:
    body = " ".join(["Vietnam and Malaysia signed a memorandum on maritime search and rescue cooperation."] * 4)
    script = f'<script type="application/ld+json">{jsonld}</script>' if jsonld else ""
    return (
        f"<html><head><title>MoU signed</title>{''.join(metas)}{script}</head>"
        f"<body><article><h1>MoU signed</h1><p>{body}</p><p>{body}</p></article></body></html>"
    )


def test_a_future_date_is_never_used() -> None:
    future = '<meta property="article:published_time" content="2030-01-01T08:00:00+07:00">'
    result = extract(_dated_page(future), "https://news.example.org/a/1", now=NOW)
    assert result is not None and result.published_at is None
    # The next source is tried when the first is in the future.
    ld = json.dumps({"@type": "NewsArticle", "datePublished": "2025-10-04T08:00:00+07:00"})
    result = extract(_dated_page(future, jsonld=ld), "https://news.example.org/a/1", now=NOW)
    assert result is not None and result.published_at == datetime(2025, 10, 4, 1, 0, tzinfo=UTC)
    # A few minutes ahead is clock skew: the article is dated now.
    soon = f'<meta property="article:published_time" content="{(NOW + timedelta(minutes=3)).isoformat()}">'
    result = extract(_dated_page(soon), "https://news.example.org/a/1", now=NOW)
    assert result is not None and result.published_at == NOW


def test_a_dateline_date_is_the_last_resort() -> None:
    text = " ".join(["Malaysia and Vietnam agreed to expand cooperation between their coast guards."] * 3)
    lead = f"KUALA LUMPUR, Sept 29 (Bernama) -- {text}"
    page = f"<html><body><article><h1>Coast guards</h1><p>{lead}</p></article></body></html>"
    result = extract(page, "https://www.bernama.com/en/news.php?id=1", outlet("bernama-en"), NOW)
    assert result is not None
    assert result.text.startswith("Malaysia and Vietnam agreed")
    assert result.published_at == datetime(2025, 9, 29, tzinfo=UTC) - timedelta(hours=8)  # the day, in MYT


# --------------------------------------------------------------------------- input that is not a clean page


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        b'{"id": 1, "title": "<p>not a page</p>", "html": "<div>x</div>"}',
        '[{"url": "https://x.org", "body": "<html><body>x</body></html>"}]',
        "Just a line of plain text, no markup at all, which is not an article page.",
        b"",
        "",
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>",
        "<html><body><h1>Access denied</h1><p>You do not have permission.</p></body></html>",
    ],
)
def test_non_html_and_empty_pages_give_none(data: str | bytes) -> None:
    assert extract(data, "https://news.example.org/a/1", now=NOW) is None


_SENTENCE = "Hải quân hai nước đã tổ chức diễn tập tìm kiếm cứu nạn chung trên biển, với sự tham gia của nhiều tàu."


def _encoded_page(charset_meta: str) -> str:
    return (
        f"<html><head>{charset_meta}<title>Diễn tập</title></head><body><article><h1>Diễn tập</h1>"
        f"<p>{_SENTENCE} {_SENTENCE}</p><p>{_SENTENCE}</p></article></body></html>"
    )


def test_wrong_or_missing_charset_declarations_decode_right() -> None:
    utf8_declared_latin1 = _encoded_page('<meta charset="iso-8859-1">').encode("utf-8")
    with_bom = b"\xef\xbb\xbf" + _encoded_page("").encode("utf-8")
    for data in (utf8_declared_latin1, with_bom):
        result = extract(data, "https://news.example.org/a/1", now=NOW)
        assert result is not None
        assert _SENTENCE in result.text and result.title == "Diễn tập"
    english = (
        "The minister\u2019s visit to Kuala Lumpur \u2013 the first since 2019 \u2013 ended with a caf\u00e9 stop."
    )
    page = f"<html><head><title>Visit</title></head><body><article><p>{english} {english}</p></article></body></html>"
    result = extract(page.encode("cp1252"), "https://news.example.org/a/1", now=NOW)  # undeclared windows-1252
    assert result is not None and english in result.text


# --------------------------------------------------------------------------- run.py extract


def test_cli_extract_file_guesses_the_outlet_from_url(run_cli: RunCli) -> None:
    result = run_cli(
        "extract",
        str(FIXTURES / "qdnd_article.html"),
        "--url",
        "https://www.qdnd.vn/quoc-te/doi-ngoai-quoc-phong/x-754100",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["title"] == "Hải quân Việt Nam và Malaysia tăng cường hợp tác"
    assert data["published_at"] == "2025-09-29T14:30:00+07:00"
    assert data["language"] == "vi"
    assert "Mời bạn đọc" not in data["text"]


def test_cli_extract_stdin_lines_report_bad_and_empty_lines_and_go_on(run_cli: RunCli) -> None:
    good = {"url": "https://thesun.my/malaysia-news/x-MA12345678", "html": fixture("thesun_article.html").decode()}
    empty = {"url": "https://thesun.my/x", "html": "<html><body><nav>Home</nav></body></html>"}
    stdin = "\n".join([json.dumps(good), "{not json", json.dumps(empty), json.dumps(good)]) + "\n"
    result = run_cli("extract", "-", input=stdin)
    assert result.returncode == 1  # a bad line makes the run fail, after every line was handled
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["title"] == "Malaysia, Vietnam agree to step up maritime cooperation"
    assert out[0]["published_at"] == "2025-09-29T13:05:00+08:00"  # thesun's timezone, guessed from the host
    assert out[1]["line"] == 2 and "not valid JSON" in out[1]["error"]
    assert out[2] == {"url": "https://thesun.my/x", "line": 3, "error": "no article text"}
    assert out[3] == out[0]
    assert "stdin line 2" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_cli_extract_errors_are_one_line(run_cli: RunCli) -> None:
    missing = run_cli("extract", "/nonexistent/page.html")
    assert missing.returncode == 1 and missing.stderr.strip().count("\n") == 0
    assert "cannot read /nonexistent/page.html" in missing.stderr
    nothing = run_cli("extract", "-", "--outlet", "no-such-outlet", input="")
    assert nothing.returncode == 2 and "no-such-outlet" in nothing.stderr and "Traceback" not in nothing.stderr
    usage = run_cli("extract")
    assert usage.returncode == 2


class _GatedPage(http.server.BaseHTTPRequestHandler):
    """Like qdnd: the first request gets a 302 to itself with a cookie, then the page."""

    def do_GET(self) -> None:
        if "muid=1" not in (self.headers.get("Cookie") or ""):
            self.send_response(302)
            self.send_header("Location", self.path)
            self.send_header("Set-Cookie", "muid=1; Path=/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = fixture("bernama_article_cp1252.html")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=windows-1252")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def gated_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _GatedPage)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_cli_extract_fetches_a_url_through_a_cookie_gate(gated_server: str, run_cli: RunCli) -> None:
    result = run_cli("extract", f"{gated_server}/en/news.php?id=2470001", "--outlet", "bernama-en")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["url"] == f"{gated_server}/en/news.php?id=2470001"
    assert data["text"].startswith("Malaysia and Vietnam have agreed")
    assert "caf\u00e9" in data["text"] and "BERNAMA" not in data["text"]
    assert data["published_at"] == "2025-09-29T10:57:00+08:00"


@pytest.mark.parametrize(
    ("lead", "kept"),
    [
        ("KUALA LUMPUR, 29 Sept (Bernama) -- ", False),  # Bahasa Melayu order
        ("Hà Nội (TTXVN) - ", False),
        ("PUTRAJAYA: ", False),
        ("Phó Thủ tướng (bên phải) - ", True),  # a sentence, not a dateline
        ("Sáng 29-9, tại Hà Nội - ", True),
    ],
)
def test_only_real_datelines_are_stripped(lead: str, kept: bool) -> None:
    sentence = "Hai bên nhất trí tăng cường hợp tác an ninh biển và tìm kiếm cứu nạn trong thời gian tới."
    page = f"<html><body><article><p>{lead}{sentence}</p><p>{sentence} {sentence}</p></article></body></html>"
    result = extract(page, "https://news.example.org/a/1", now=NOW)
    assert result is not None
    assert lines(result)[0] == (lead + sentence if kept else sentence)


def test_threads_extracting_at_once_get_the_same_articles() -> None:
    from concurrent.futures import ThreadPoolExecutor

    jobs = [
        (fixture("qdnd_article.html"), "https://www.qdnd.vn/quoc-te/doi-ngoai-quoc-phong/x-754100", outlet("qdnd")),
        (
            fixture("bernama_article_cp1252.html"),
            "https://www.bernama.com/en/news.php?id=2470001",
            outlet("bernama-en"),
        ),
        (fixture("thesun_article.html"), "https://thesun.my/malaysia-news/x-MA12345678", outlet("thesun")),
        (fixture("vietnamplus_article.html"), "https://www.vietnamplus.vn/x-post1.vnp", outlet("vietnamplus")),
    ] * 10
    expected = [extract(html, url, o, NOW) for html, url, o in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda job: extract(job[0], job[1], job[2], NOW), jobs))
    assert got == expected and all(r is not None for r in got)
