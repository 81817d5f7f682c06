"""Extraction never drops an article for a stray character.

The review's input first: one backspace or one ESC anywhere in a page made extraction return
"no article text" (the article was lost, and the outlet drifted towards an extraction-health
incident). Then the class, in the real article pages of ``tests/fixtures/extract``: every C0
control but tab and line breaks, DEL, C1 controls, NUL (in bytes and in text), lone surrogates,
noncharacters, each inserted in the middle of the article's text; and pages mixing encodings
(UTF-8 with stray single-byte characters). The article is extracted with the same title and
the same text as from the clean page, less the stray character.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.extract import decode_html, extract
from tests.helpers import RunCli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "extract"
PAGES = sorted(p.name for p in FIXTURES.glob("*.html"))


def page(name: str) -> str:
    text = decode_html((FIXTURES / name).read_bytes())
    assert text is not None
    return text


def with_stray(text: str, stray: str) -> str:
    """The page with ``stray`` inside the first long paragraph's text (and in its title)."""
    start = text.index("<p", text.index("<body"))
    for _ in range(40):  # the first paragraph with some words
        close = text.index(">", start) + 1
        end = text.index("</p>", close)
        if end - close > 80 and "<" not in text[close : close + 40]:
            break
        start = text.index("<p", end)
    middle = close + 20
    spliced = text[:middle] + stray + text[middle:]
    return spliced.replace("</title>", stray + "</title>", 1)


def test_a_backspace_or_an_esc_no_longer_drops_the_article() -> None:
    clean = extract(page("vietnamnews_article.html"), "https://vietnamnews.vn/a")
    assert clean is not None
    for stray in ("\x08", "\x1b"):
        result = extract(with_stray(page("vietnamnews_article.html"), stray), "https://vietnamnews.vn/a")
        assert result is not None, repr(stray)
        assert result.text == clean.text and result.title == clean.title


C0 = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r\x0b\x0c"]
C1 = [chr(c) for c in range(0x7F, 0xA0)]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]
NONCHARACTERS = ["\ufffe", "\uffff", "\ufdd0"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("kind", "strays"),
    [("C0", C0), ("DEL and C1", C1), ("lone surrogates", SURROGATES), ("noncharacters", NONCHARACTERS)],
)
@pytest.mark.slow  # extracts real pages once per kind of stray character
def test_no_stray_character_drops_a_real_article(name: str, kind: str, strays: list[str]) -> None:
    clean = extract(page(name), "https://example.org/a")
    assert clean is not None
    for stray in strays:
        result = extract(with_stray(page(name), stray), "https://example.org/a")
        assert result is not None, f"{name}: {stray!r} dropped the article"
        assert result.text == clean.text, f"{name}: {stray!r} changed the text"
        assert result.title == clean.title
        assert stray not in result.text + result.title


@pytest.mark.parametrize("name", PAGES)
def test_a_nul_in_the_bytes_of_a_page_is_no_binary_file(name: str) -> None:
    clean = extract(page(name), "https://example.org/a")
    raw = with_stray(page(name), "\x00").encode("utf-8")
    assert b"\x00" in raw[:1024] or b"\x00" in raw
    result = extract(raw, "https://example.org/a")
    assert result is not None and clean is not None and result.text == clean.text
    # ... and a run of NULs at the start still means "not a page"
    assert extract(b"\x00" * 600 + raw, "https://example.org/a") is None


@pytest.mark.parametrize("stray", [b"\x96", b"\xe9", b"\xa0", b"\xff", b"\xc3", b"\x93\x94"])
def test_a_utf8_page_with_stray_single_byte_characters_keeps_its_letters(stray: bytes) -> None:
    raw = page("qdnd_article.html").encode("utf-8")
    at = raw.index(b"</p>")
    mixed = raw[:at] + stray + raw[at:]
    clean = extract(raw, "https://www.qdnd.vn/a")
    result = extract(mixed, "https://www.qdnd.vn/a")
    assert clean is not None and result is not None
    assert result.title == clean.title  # Vietnamese letters intact, not read as windows-1252
    assert result.text.replace("\ufffd", "") == clean.text


def test_a_single_byte_page_is_still_read_by_its_declaration() -> None:
    raw = (FIXTURES / "bernama_article_cp1252.html").read_bytes()
    result = extract(raw, "https://www.bernama.com/a")
    assert result is not None and "\ufffd" not in result.text and "caf\u00e9" in result.text


def test_an_import_with_a_lone_surrogate_stores_every_record(tmp_path: Path, run_cli: RunCli) -> None:
    """The same class on the way in from JSON: a lone surrogate made the database refuse the
    record and the whole import stopped (the records after it were lost too)."""
    words = " ".join(f"word{i}" for i in range(80))
    records = [
        {
            "url": "https://e.org/1",
            "title": "Navy \ud800 patrol\x08",
            "text": f"Navy \udfff\x1b {words}",
            "language": "en",
        },
        {"url": "https://e.org/2\ud83d", "title": "Coast guard", "text": f"Coast guard {words} two", "language": "en"},
        {"url": "https://e.org/3", "title": "Fisheries", "text": f"Fisheries \x00 {words} three", "language": "en"},
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    env = {"NEWSWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'nw.db'}"}
    result = run_cli("import", str(path), env=env)
    assert result.returncode == 0, result.stderr
    assert "imported 3 new articles" in result.stdout
    listed = run_cli("articles", "--json", env=env)
    titles = sorted(json.loads(line)["title"] for line in listed.stdout.splitlines())
    assert titles == ["Coast guard", "Fisheries", "Navy  patrol\x08"]  # a backspace is data, escaped when printed
