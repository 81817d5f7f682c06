"""The class "lead against lead fails when one version is a partial translation": one event in
two languages where one text starts further into the story than the other (a publisher's
English edition that begins at its Vietnamese original's third paragraph, a foreign report
that opens on the aftermath). The shorter text's lead is compared with the longer text's
passages, only when nothing but the leads' similarity keeps the two apart."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from storage import db
from storage.dedup import embedding
from storage.dedup.evidence import extract_signals
from storage.dedup.index import StoryIndex
from storage.dedup.model import EmbedderUnavailable
from storage.dedup.semantic import MIN_SIMILARITY_ACROSS, Side, judge
from storage.ingest import Ingestor
from storage.models import Article
from storage.records import ArticleRecord
from tests.helpers import shared_path

T0 = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)

EN = (
    "Coast guards of Vietnam and Malaysia agree on hotline",
    "The Vietnam Coast Guard and the Malaysian Maritime Enforcement Agency under Mohd Rosli Abdullah "
    "set up 14 joint patrol areas and a hotline on March 12.",
)
VI = (
    "Cảnh sát biển Việt Nam và Malaysia lập đường dây nóng",
    "Ngày 12/3, Cảnh sát biển Việt Nam và Cơ quan Thực thi Hàng hải Malaysia do ông Mohd Rosli Abdullah "
    "đứng đầu đã thiết lập 14 khu vực tuần tra chung và đường dây nóng.",
)


def side(article: tuple[str, str], language: str, outlet: str, hours: float = 0) -> Side:
    title, text = article
    when = (T0 + timedelta(hours=hours)).timestamp()
    return Side(title, text, language, frozenset([outlet]), when, extract_signals(title, text))


@dataclass
class Passages:
    """A passage computation that counts its calls (it costs an embedding per paragraph)."""

    answer: float
    calls: int = 0

    def __call__(self) -> tuple[float, int]:
        self.calls += 1
        return self.answer, 3


def test_a_passage_is_read_only_when_the_leads_alone_keep_two_languages_apart() -> None:
    en, vi = side(EN, "en", "vna-en"), side(VI, "vi", "qdnd", hours=20)
    below = MIN_SIMILARITY_ACROSS - 0.04

    close = Passages(0.86)
    verdict = judge(en, vi, below, close)
    assert verdict.joined and close.calls == 1
    assert verdict.explain()["lead similarity"] == round(below, 3) and verdict.explain()["from paragraph"] == 3

    short = Passages(MIN_SIMILARITY_ACROSS - 0.01)  # the passages fall short too
    assert judge(en, vi, below, short).veto == "not similar enough"

    unread = Passages(0.99)
    assert judge(en, vi, 0.9, unread).joined  # the leads suffice
    assert not judge(en, side(EN, "en", "thesun", hours=20), 0.85, unread).joined  # one language
    assert not judge(en, side(VI, "vi", "qdnd", hours=24 * 4), below, unread).joined  # days apart
    other_day = (VI[0], VI[1].replace("Ngày 12/3", "Ngày 19/3"))
    assert judge(en, side(other_day, "vi", "qdnd", hours=20), below, unread).veto == "not similar enough"
    nothing_shared = ("Hợp tác hải quân", "Hai lực lượng hải quân tăng cường hợp tác đào tạo và trao đổi đoàn.")
    assert not judge(en, side(nothing_shared, "vi", "qdnd", hours=20), below, unread).joined
    assert unread.calls == 0


@pytest.fixture(scope="module")
def model() -> embedding.Embedder:
    try:
        return embedding.load_embedder()
    except EmbedderUnavailable as exc:
        pytest.skip(str(exc))


def seed(name: str, outlet: str, language: str) -> ArticleRecord:
    """A seed text as a user imports it: the whole file, its first line as the title."""
    (path,) = shared_path("seeds").glob(f"{name}_*.txt")
    text = path.read_text(encoding="utf-8").strip()
    return ArticleRecord(
        url=f"https://example.org/seed/{name}",
        title=text.splitlines()[0][:120],
        text=text,
        outlet=outlet,
        outlet_family="qdnd",
        language=language,
    )


def member(group: str, index: int, skip: int = 0) -> ArticleRecord:
    """A member of a stories development group; ``skip``: as an edition that starts that many
    paragraphs later would give it (its headline kept)."""
    data = json.loads(shared_path("devsets", "stories", f"{group}.json").read_text(encoding="utf-8"))
    m = data["members"][index]
    paragraphs = [p.strip() for p in m["text"].split("\n") if len(p.strip()) >= embedding.MIN_PARAGRAPH_CHARS]
    text = "\n".join(paragraphs[skip:]) if skip else m["text"]
    return ArticleRecord(url=m["source"], title=m.get("title") or "", text=text, outlet=group, language=m["lang"])


def ingest_pair(
    model: embedding.Embedder, url: str, first: ArticleRecord, second: ArticleRecord, hours: float
) -> tuple[bool, dict[str, Any] | None]:
    db.upgrade(url)
    ingestor = Ingestor(db.session_factory(db.make_engine(url)), index=StoryIndex(embedder=model))
    a = ingestor.ingest(replace(first, published_at=T0))
    b = ingestor.ingest(replace(second, published_at=T0 + timedelta(hours=hours)))
    assert a.status == b.status == "stored"
    with ingestor.sessions() as session:
        article = session.get(Article, b.article_id)
        assert article is not None
        return a.story_id == b.story_id, article.joined_by


@pytest.mark.parametrize(
    "pair",
    [
        # qdnd's English edition starts at the Vietnamese original's third paragraph (issue 13).
        lambda: (seed("003", "qdnd", "vi"), seed("000", "qdnd-en", "en")),
        # Real reports of one event in two languages, the shorter one starting further in.
        lambda: (member("devstory-029", 0), member("devstory-028", 2, skip=1)),  # Nguyen Phu Trong's death
        lambda: (member("devstory-002", 0), member("devstory-001", 0, skip=2)),  # the frigate's arrival
    ],
    ids=["qdnd editions", "en report / vi announcement", "vi report / en report"],
)
@pytest.mark.slow  # embeds every passage of real reports
def test_a_partial_translation_joins_the_report_it_starts_inside_of(
    pair: Callable[[], tuple[ArticleRecord, ArticleRecord]], model: embedding.Embedder, sqlite_url: str
) -> None:
    joined, why = ingest_pair(model, sqlite_url, *pair(), hours=20)
    assert joined, "two stories for one event"
    assert why is not None and why["route"] == "semantic", why
    assert why["lead similarity"] < MIN_SIMILARITY_ACROSS <= why["similarity"], why
    assert why["anchors"] and why["from paragraph"] > 1


@pytest.mark.slow  # embeds every passage of real reports
def test_an_arrival_and_the_departure_stay_apart_when_one_report_starts_further_in(
    model: embedding.Embedder, sqlite_url: str
) -> None:
    """The look-alike of the class: the frigate's departure three days after its arrival, the
    arrival's English report starting where its date no longer shows (no date veto left)."""
    departure, arrival = member("devstory-002", 1), member("devstory-001", 0, skip=2)
    joined, _ = ingest_pair(model, sqlite_url, departure, arrival, hours=-72)
    assert not joined
