"""Shared cases for the story tests: dated news texts (a wire report, its copies and rewrites,
the next week's report from the same template, a Vietnamese report of the same event), article
records built from them, and the ingest path as the product runs it.

The ``database_url`` fixture (a database of each kind at the newest schema) is in ``tests/conftest.py``.
"""

# ruff: noqa: E501  (the texts below are news paragraphs, one line each)
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import db
from storage.dedup import embedding
from storage.dedup.index import StoryIndex
from storage.dedup.model import EmbedderUnavailable
from storage.ingest import Ingestor
from storage.records import ArticleRecord
from storage.stories import story_of

T0 = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)

WIRE = """KUALA LUMPUR, March 12 (Bernama) -- The Malaysian Maritime Enforcement Agency (MMEA) detained two Vietnamese fishing boats with 29 crew members for encroaching into Malaysian waters about 68 nautical miles off Kuala Terengganu on Tuesday.

Terengganu MMEA director Maritime Captain Mohd Khairulanuar Abd Majid said the boats were spotted by the patrol vessel KM Pekan during Ops Naga Barat at about 10.30 am.

"Inspections found that the skippers and crew, aged between 19 and 58, failed to produce any valid documents or fishing permits issued by the Malaysian authorities," he said in a statement today.

He said the boats, the catch of about 1,500 kilogrammes of fish and equipment worth an estimated RM2.4 million were seized and taken to the MMEA jetty in Kuala Terengganu for further action.

The case is being investigated under the Fisheries Act 1985 and the Immigration Act 1959/63, he added, urging members of the public to report suspicious activities at sea to the MMEA hotline."""

# The same wire story as rerun by a newspaper: new headline, byline, dateline, light edits
# and a local paragraph at the end.
COPY = """By Siti Aminah

KUALA TERENGGANU: The Malaysian Maritime Enforcement Agency (MMEA) has detained two Vietnamese fishing boats with 29 crew members for encroaching into Malaysian waters about 68 nautical miles off Kuala Terengganu on Tuesday.

Terengganu MMEA director Maritime Captain Mohd Khairulanuar Abd Majid said the boats were spotted by the patrol vessel KM Pekan during Ops Naga Barat at about 10.30am.

"Inspections found that the skippers and crew, aged between 19 and 58, failed to produce valid documents or fishing permits issued by the Malaysian authorities," he said in a statement on Wednesday.

He said the boats, about 1,500 kilogrammes of fish and equipment worth an estimated RM2.4 million were seized and taken to the MMEA jetty in Kuala Terengganu for further action.

The case is being investigated under the Fisheries Act 1985 and the Immigration Act 1959/63, he added.

Local fishermen in Kuala Besut said they had complained for months about foreign boats fishing close to the coast at night, and welcomed the arrests."""

# A different detention a week later, written from the same template by the same agency.
NEXT_WEEK = """KUALA LUMPUR, March 19 (Bernama) -- The Malaysian Maritime Enforcement Agency (MMEA) detained three Vietnamese fishing boats with 31 crew members for encroaching into Malaysian waters about 75 nautical miles off Kuala Terengganu on Tuesday.

Terengganu MMEA director Maritime Captain Mohd Khairulanuar Abd Majid said the boats were spotted by the patrol vessel KM Pekan during Ops Naga Barat at about 8.15 am.

"Inspections found that the skippers and crew, aged between 21 and 60, failed to produce any valid documents or fishing permits issued by the Malaysian authorities," he said in a statement today.

He said the boats, the catch of about 2,000 kilogrammes of fish and equipment worth an estimated RM3.1 million were seized and taken to the MMEA jetty in Kuala Terengganu for further action.

The case is being investigated under the Fisheries Act 1985 and the Immigration Act 1959/63, he added, urging members of the public to report suspicious activities at sea to the MMEA hotline."""

VIETNAMESE = """Ngày 12/3, Cơ quan Thực thi Luật Hàng hải Malaysia (MMEA) đã bắt giữ hai tàu cá Việt Nam cùng 29 ngư dân với cáo buộc xâm phạm vùng biển Malaysia, cách Kuala Terengganu khoảng 68 hải lý.

Giám đốc MMEA bang Terengganu, Đại tá Hàng hải Mohd Khairulanuar Abd Majid cho biết hai tàu bị tàu tuần tra KM Pekan phát hiện trong chiến dịch Ops Naga Barat.

Theo phía Malaysia, các thuyền trưởng và thuyền viên không xuất trình được giấy tờ hợp lệ. Hai tàu cùng khoảng 1.500 kg hải sản và ngư cụ trị giá 2,4 triệu RM đã bị tạm giữ.

Đại sứ quán Việt Nam tại Malaysia đang phối hợp với cơ quan chức năng sở tại để xác minh thông tin và bảo hộ công dân."""

VIETNAMESE_NEXT_WEEK = """Ngày 19/3, Cơ quan Thực thi Luật Hàng hải Malaysia (MMEA) đã bắt giữ ba tàu cá Việt Nam cùng 31 ngư dân với cáo buộc xâm phạm vùng biển Malaysia, cách Kuala Terengganu khoảng 75 hải lý.

Giám đốc MMEA bang Terengganu, Đại tá Hàng hải Mohd Khairulanuar Abd Majid cho biết ba tàu bị tàu tuần tra KM Pekan phát hiện trong chiến dịch Ops Naga Barat, như vụ việc tuần trước với 29 ngư dân cách 68 hải lý.

Đại sứ quán Việt Nam tại Malaysia đang phối hợp với cơ quan chức năng sở tại để xác minh thông tin và bảo hộ công dân."""


def rec(url: str, text: str, outlet: str, when: datetime = T0, language: str = "en", **kw: object) -> ArticleRecord:
    title = text.strip().splitlines()[0][:80]
    return ArticleRecord(url=url, title=title, text=text, outlet=outlet, language=language, published_at=when, **kw)  # type: ignore[arg-type]


def make_ingestor(url: str, window: float = 7 * 86400, semantic: bool = True) -> Ingestor:
    """The ingest path as the product runs it, with the semantic route on for every article
    when the embedding model is installed (``dedup.semantic = "all"``)."""
    now = T0 + timedelta(days=30)
    index = StoryIndex(window, embedder=model_or_none() if semantic else None)
    return Ingestor(db.session_factory(db.make_engine(url)), index=index, clock=lambda: now)


def model_or_none() -> embedding.Embedder | None:
    try:
        return embedding.load_embedder()
    except EmbedderUnavailable:
        return None


def needs_model() -> None:
    if model_or_none() is None:
        pytest.skip("the embedding model is not installed: the semantic route is off")


def members(ingestor: Ingestor, article_id: int | None) -> list[str]:
    assert article_id is not None
    with ingestor.sessions() as s:
        story = story_of(s, article_id)
        assert story is not None
        return sorted(a.url for a in story.articles)


# An outlet's own write-up of the wire story above: its own lead and wording, one wire sentence
# kept word for word, the same people, places and figures, no date.
REWRITE = """Two Vietnamese trawlers and their crew of 29 are being held in Kuala Terengganu after the maritime agency caught them fishing 68 nautical miles off the coast on Tuesday.

The boats were seen by KM Pekan while it was on patrol under Ops Naga Barat, according to Maritime Captain Mohd Khairulanuar Abd Majid, who heads the agency in the state.

"Inspections found that the skippers and crew, aged between 19 and 58, failed to produce any valid documents or fishing permits issued by the Malaysian authorities," he said.

Coastal communities in Terengganu have long complained that foreign boats take fish from their traditional grounds."""
