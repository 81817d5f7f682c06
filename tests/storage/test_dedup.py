"""Near duplicates and stories, as a user sees them: which articles end up in one story.

Every case goes through the real ``Ingestor`` on SQLite and PostgreSQL.
"""

# ruff: noqa: E501  (the texts below are news paragraphs, one line each)
from __future__ import annotations

from datetime import timedelta

import pytest

from storage.stories import list_stories, story_of
from tests.storage.dedup_cases import (
    COPY,
    NEXT_WEEK,
    REWRITE,
    T0,
    VIETNAMESE,
    VIETNAMESE_NEXT_WEEK,
    WIRE,
    make_ingestor,
    members,
    rec,
)


def test_syndicated_copy_joins_the_wire_story_with_both_outlets(database_url: str) -> None:
    ing = make_ingestor(database_url)
    first = ing.ingest(rec("https://www.bernama.com/en/news.php?id=1", WIRE, "bernama-en"))
    copy = ing.ingest(rec("https://thesun.my/local/mmea-1", COPY, "thesun", T0 + timedelta(hours=5)))
    assert copy.status == "stored" and not copy.new_story
    assert copy.story_id == first.story_id
    with ing.sessions() as s:
        (story,) = list_stories(s)
        assert story.outlets == ["bernama-en", "thesun"]
        assert story.first_article_id == first.article_id


def test_same_template_a_week_later_is_a_different_story(database_url: str) -> None:
    ing = make_ingestor(database_url)
    first = ing.ingest(rec("https://www.bernama.com/en/news.php?id=1", WIRE, "bernama-en"))
    later = ing.ingest(rec("https://www.bernama.com/en/news.php?id=2", NEXT_WEEK, "bernama-en", T0 + timedelta(days=7)))
    assert later.status == "stored" and later.new_story
    assert later.story_id != first.story_id


def test_copies_outside_the_window_start_a_new_story(database_url: str) -> None:
    ing = make_ingestor(database_url, window=3 * 86400)
    first = ing.ingest(rec("https://www.bernama.com/en/news.php?id=1", WIRE, "bernama-en"))
    late = ing.ingest(rec("https://thesun.my/local/mmea-1", COPY, "thesun", T0 + timedelta(days=4)))
    assert late.new_story and late.story_id != first.story_id


def test_index_is_loaded_from_the_database_after_a_restart(database_url: str) -> None:
    before = make_ingestor(database_url)
    first = before.ingest(rec("https://www.bernama.com/en/news.php?id=1", WIRE, "bernama-en"))
    after = make_ingestor(database_url)  # a new process: empty index, loaded on first use
    copy = after.ingest(rec("https://thesun.my/local/mmea-1", COPY, "thesun", T0 + timedelta(hours=2)))
    assert copy.story_id == first.story_id
    assert members(after, first.article_id) == [
        "https://thesun.my/local/mmea-1",
        "https://www.bernama.com/en/news.php?id=1",
    ]


def test_vietnamese_report_of_the_same_event_joins_and_of_another_event_does_not(database_url: str) -> None:
    ing = make_ingestor(database_url)
    first = ing.ingest(rec("https://www.bernama.com/en/news.php?id=1", WIRE, "bernama-en"))
    other = ing.ingest(rec("https://www.bernama.com/en/news.php?id=2", NEXT_WEEK, "bernama-en", T0 + timedelta(days=7)))
    vi = ing.ingest(rec("https://vietnamplus.vn/bat-giu-1", VIETNAMESE, "vietnamplus", T0 + timedelta(hours=8), "vi"))
    vi_next = ing.ingest(
        rec(
            "https://vietnamplus.vn/bat-giu-2",
            VIETNAMESE_NEXT_WEEK,
            "vietnamplus",
            T0 + timedelta(days=7, hours=3),
            "vi",
        )
    )
    assert vi.story_id == first.story_id
    # Same agency, director, place and even last week's numbers, but another date: kept apart
    # from last week's story. (It may join this week's English report, never last week's.)
    assert vi_next.story_id != first.story_id
    assert other.story_id != first.story_id
    with ing.sessions() as s:
        story = story_of(s, first.article_id or 0)
        assert story is not None and story.languages == ["en", "vi"]


def test_each_article_is_in_exactly_one_story_and_stories_list_newest_first(database_url: str) -> None:
    ing = make_ingestor(database_url)
    ing.ingest(rec("https://www.bernama.com/en/news.php?id=1", WIRE, "bernama-en"))
    ing.ingest(rec("https://thesun.my/local/mmea-1", COPY, "thesun", T0 + timedelta(hours=1)))
    ing.ingest(rec("https://www.bernama.com/en/news.php?id=2", NEXT_WEEK, "bernama-en", T0 + timedelta(days=7)))
    with ing.sessions() as s:
        stories = list_stories(s)
    urls = [a.url for st in stories for a in st.articles]
    assert sorted(urls) == sorted(set(urls)) and len(urls) == 3
    assert [len(st.articles) for st in stories] == [1, 2]  # both stored at the same clock: by id


# A newspaper's own report that reuses two paragraphs of the wire story.
PARTIAL = """KUALA TERENGGANU: Fishermen here welcomed the detention on March 12 of two Vietnamese boats off the state's coast, saying foreign trawlers had been emptying their fishing grounds for months.

Terengganu MMEA director Maritime Captain Mohd Khairulanuar Abd Majid said the boats were spotted by the patrol vessel KM Pekan during Ops Naga Barat at about 10.30 am.

He said the boats, the catch of about 1,500 kilogrammes of fish and equipment worth an estimated RM2.4 million were seized and taken to the MMEA jetty in Kuala Terengganu for further action.

Kuala Besut fishermen's association chairman Ismail Hamid said members had lodged several complaints with the authorities this year and asked for more patrols during the monsoon season."""


def test_partial_reuse_of_wire_paragraphs_joins_when_the_facts_agree(database_url: str) -> None:
    ing = make_ingestor(database_url)
    first = ing.ingest(rec("https://www.bernama.com/en/news.php?id=1", WIRE, "bernama-en"))
    other = ing.ingest(rec("https://www.bernama.com/en/news.php?id=2", NEXT_WEEK, "bernama-en", T0 + timedelta(days=6)))
    partial = ing.ingest(rec("https://www.nst.com.my/news/1", PARTIAL, "nst", T0 + timedelta(hours=20)))
    assert partial.story_id == first.story_id != other.story_id


def test_an_article_stored_by_another_process_is_found(database_url: str) -> None:
    daemon, importer = make_ingestor(database_url), make_ingestor(database_url)
    daemon.ingest(rec("https://www.bernama.com/en/news.php?id=2", NEXT_WEEK, "bernama-en", T0 + timedelta(days=7)))
    first = importer.ingest(rec("https://www.bernama.com/en/news.php?id=1", WIRE, "bernama-en"))
    copy = daemon.ingest(rec("https://thesun.my/local/mmea-1", COPY, "thesun", T0 + timedelta(hours=2)))
    assert copy.story_id == first.story_id


# The same kind of write-up of the next detention, from the same template: the same director,
# patrol vessel, operation and the same reused sentence, but another day and other figures.
REWRITE_OTHER_DAY = """Three Vietnamese trawlers and their crew of 31 are being held in Kuala Terengganu after the maritime agency caught them fishing 75 nautical miles off the coast on Friday.

The boats were seen by KM Pekan while it was on patrol under Ops Naga Barat, according to Maritime Captain Mohd Khairulanuar Abd Majid, who heads the agency in the state.

"Inspections found that the skippers and crew, aged between 19 and 58, failed to produce any valid documents or fishing permits issued by the Malaysian authorities," he said.

Coastal communities in Terengganu have long complained that foreign boats take fish from their traditional grounds."""


def test_a_rewritten_wire_copy_joins_the_wire_story(database_url: str) -> None:
    ing = make_ingestor(database_url)
    first = ing.ingest(rec("https://www.bernama.com/en/news.php?id=1", WIRE, "bernama-en"))
    rewrite = ing.ingest(rec("https://www.thestar.com.my/news/1", REWRITE, "thestar", T0 + timedelta(hours=4)))
    assert rewrite.status == "stored" and rewrite.story_id == first.story_id
    assert ing.index.counters["dedup/rewrite"] == 1


def test_a_look_alike_rewrite_of_another_day_does_not_join(database_url: str) -> None:
    ing = make_ingestor(database_url)
    first = ing.ingest(rec("https://www.bernama.com/en/news.php?id=1", WIRE, "bernama-en"))
    other = ing.ingest(rec("https://www.thestar.com.my/news/2", REWRITE_OTHER_DAY, "thestar", T0 + timedelta(days=3)))
    assert other.new_story and other.story_id != first.story_id


def test_a_look_alike_with_the_same_figures_and_another_date_stays_apart(database_url: str) -> None:
    # Published at the same moment (a late crawl): only the texts can tell the events apart.
    ing = make_ingestor(database_url)
    first = ing.ingest(
        rec("https://www.thestar.com.my/news/1", REWRITE.replace("on Tuesday", "on March 10"), "thestar")
    )
    dated = REWRITE_OTHER_DAY.replace("on Friday", "on March 17").replace("31", "29").replace("75", "68")
    other = ing.ingest(rec("https://www.thestar.com.my/news/2", dated.replace("Three", "Two"), "thestar"))
    assert other.new_story and other.story_id != first.story_id
    # A copy of the first write-up joins the first story, not the look-alike.
    copy = REWRITE.replace("on Tuesday", "on March 10") + "\n\nThe boats will be auctioned if the owners are convicted."
    again = ing.ingest(rec("https://www.nst.com.my/news/3", copy, "nst"))
    assert again.story_id == first.story_id


MALAY_WEDNESDAY = """Menteri Pertahanan Datuk Seri Mohamad Hasan mengadakan pertemuan dengan rakan sejawatnya dari Vietnam, Jeneral Phan Van Giang, di Hanoi pada Rabu.

Mereka turut mengunjungi Perdana Menteri Pham Minh Chinh dan membincangkan kerjasama maritim serta latihan bersama kedua-dua angkatan tentera."""

ENGLISH_WEDNESDAY = """Defence Minister Mohamad Hasan met his Vietnamese counterpart General Phan Van Giang in Hanoi on Wednesday, the ministry said.

The two also called on Prime Minister Pham Minh Chinh and discussed maritime cooperation and joint training between the two armed forces."""


def test_a_translation_giving_the_weekday_joins_and_another_weekday_does_not(database_url: str) -> None:
    ing = make_ingestor(database_url)
    first = ing.ingest(rec("https://www.bernama.com/bm/news.php?id=7", MALAY_WEDNESDAY, "bernama-bm", language="ms"))
    english = ing.ingest(rec("https://www.nst.com.my/news/7", ENGLISH_WEDNESDAY, "nst", T0 + timedelta(hours=6)))
    friday = ENGLISH_WEDNESDAY.replace("Wednesday", "Friday")
    other = ing.ingest(rec("https://www.thestar.com.my/news/8", friday, "thestar", T0 + timedelta(hours=7)))
    assert english.story_id == first.story_id
    assert other.story_id != first.story_id


# One publisher's two editions (qdnd.vn, en.qdnd.vn), the same day, the same deputy minister and
# the same list of trainee countries, but two different meetings: with India's ambassador and
# with Australia's.
VI_INDIA = """Việt Nam - Ấn Độ thúc đẩy hợp tác quốc phòng

Chiều 29-11, Thượng tướng Hoàng Xuân Chiến, Thứ trưởng Bộ Quốc phòng tiếp Đại sứ Ấn Độ tại Việt Nam.

Thượng tướng Hoàng Xuân Chiến đánh giá cao kết quả hợp tác quốc phòng Việt Nam - Ấn Độ, nhất là trong đào tạo và gìn giữ hòa bình. Đại sứ Ấn Độ cho biết Ấn Độ mở rộng các chương trình đào tạo tiếng Anh cho sĩ quan của Việt Nam, Malaysia, Indonesia và Philippines.

Hai bên nhất trí tổ chức Đối thoại chính sách quốc phòng lần thứ 15 vào năm tới."""

EN_AUSTRALIA = """Vietnam, Australia deepen defence cooperation

Senior Lieutenant General Hoang Xuan Chien, Deputy Minister of National Defence, received the Australian Ambassador to Vietnam in Hanoi on November 29.

The two sides agreed to deepen defence cooperation in training, UN peacekeeping and English language programmes. The Australian ambassador said Australia runs 15 maritime security courses for officers from Vietnam, Malaysia, Indonesia and the Philippines.

General Chien thanked Australia for its support to Vietnam's peacekeeping forces."""

# The English edition's own report of the India meeting: it names Japan in passing.
EN_INDIA = """Vietnam, India boost defence cooperation

Senior Lieutenant General Hoang Xuan Chien, Deputy Minister of National Defence, received Indian Ambassador to Vietnam in Hanoi on November 29.

General Chien spoke highly of Vietnam - India defence cooperation, especially in training and UN peacekeeping. The ambassador said India is expanding English language programmes for officers from Vietnam, Malaysia, Indonesia and the Philippines, as Japan also does.

The two sides agreed to hold the 15th defence policy dialogue next year."""


@pytest.mark.slow  # real reports through the semantic route
def test_look_alike_reports_of_meetings_with_different_countries_stay_apart(database_url: str) -> None:
    ing = make_ingestor(database_url)
    india = ing.ingest(rec("https://www.qdnd.vn/quoc-te/884430", VI_INDIA, "qdnd", language="vi", outlet_family="qdnd"))
    australia = ing.ingest(
        rec(
            "https://en.qdnd.vn/military/596050", EN_AUSTRALIA, "qdnd-en", T0 + timedelta(hours=3), outlet_family="qdnd"
        )
    )
    assert australia.new_story and australia.story_id != india.story_id
    # The India meeting in English joins the Vietnamese report, not the English look-alike.
    english = ing.ingest(
        rec("https://en.qdnd.vn/military/596051", EN_INDIA, "qdnd-en", T0 + timedelta(hours=4), outlet_family="qdnd")
    )
    assert english.story_id == india.story_id


def test_the_same_note_about_another_country_in_the_same_language_stays_apart(database_url: str) -> None:
    # Most sentences are shared word for word (a near duplicate by its text), the country is not.
    ing = make_ingestor(database_url)
    australia = ing.ingest(rec("https://en.qdnd.vn/military/596050", EN_AUSTRALIA, "qdnd-en", outlet_family="qdnd"))
    india = ing.ingest(
        rec("https://en.qdnd.vn/military/596051", EN_INDIA, "qdnd-en", T0 + timedelta(hours=1), outlet_family="qdnd")
    )
    assert india.new_story and india.story_id != australia.story_id
