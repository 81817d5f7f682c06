"""One event in two languages, as a user sees it: one story (one alert), never two; and a
look-alike of another day stays a story of its own.

Both cases of issue 5's demo: a publisher's translation that spells its figures out and gives
"Sunday" where the original gives the date, and a wire report whose original edition was
dropped as an exact copy of a newspaper's reprint. Through the real ``Ingestor`` on SQLite and
PostgreSQL.
"""

# ruff: noqa: E501  (the texts below are news paragraphs, one line each)
from __future__ import annotations

from datetime import timedelta

from storage.ingest import Ingestor
from storage.records import IngestResult
from tests.storage.dedup_cases import T0, make_ingestor, members, rec

# T0 is Thursday 12 March 2026; the Sunday before is 8 March.
HOTLINE_EN = """Viet Nam, Malaysia coast guards open hotline for incidents at sea

HA NOI — The Viet Nam Coast Guard and the Malaysian Maritime Enforcement Agency (MMEA) on Sunday opened a direct hotline to handle incidents at sea and to coordinate search and rescue.

The hotline was switched on at a ceremony in Ha Noi attended by Lieutenant General Tran Van Son, Commander of the Viet Nam Coast Guard, and MMEA Director-General Admiral Datuk Ahmad Faizal Hashim.

The two coast guards will share information on fishing boats in distress and on fishermen detained in the other side's waters, General Son said, calling the hotline a practical step for both countries. — VNS"""

HOTLINE_VI = """Cảnh sát biển Việt Nam và Malaysia mở đường dây nóng xử lý sự cố trên biển

Ngày 8/3, tại Hà Nội, Cảnh sát biển Việt Nam và Cơ quan Thực thi Hàng hải Malaysia (MMEA) đã mở đường dây nóng để xử lý sự cố trên biển và phối hợp tìm kiếm cứu nạn.

Dự lễ có Trung tướng Trần Văn Sơn, Tư lệnh Cảnh sát biển Việt Nam, và Đô đốc Datuk Ahmad Faizal Hashim, Tổng Giám đốc MMEA.

Theo Trung tướng Trần Văn Sơn, lực lượng cảnh sát biển hai nước sẽ trao đổi thông tin về tàu cá gặp nạn và ngư dân bị bắt giữ trong vùng biển của phía bên kia."""

# The same agencies and officers, the same words, another day (4 March was a Wednesday).
HOTLINE_VI_OTHER_DAY = HOTLINE_VI.replace("Ngày 8/3", "Ngày 4/3").replace(
    "mở đường dây nóng để", "họp trực tuyến qua đường dây nóng để"
)

DETENTION_EN = """MMEA detains Vietnamese fishing boat, 14 crew off Kuala Terengganu

KUALA TERENGGANU: The Malaysian Maritime Enforcement Agency (MMEA) detained a Vietnamese fishing boat with 14 crew members about 87 nautical miles off Kuala Terengganu yesterday.

Terengganu Maritime director Maritime Captain Hamizan Abdul Rahman said the boat was intercepted by the patrol vessel KM Sri Aman during Op Jaring Timur.

The skipper and crew, aged between 23 and 61, failed to produce valid documents, he said. The boat and about 800 kilograms of fish were seized. - Bernama"""

DETENTION_MS = """APMM tahan bot nelayan Vietnam, 14 kru di perairan Kuala Terengganu

KUALA TERENGGANU: Agensi Penguatkuasaan Maritim Malaysia (APMM) menahan sebuah bot nelayan Vietnam bersama 14 kru kira-kira 87 batu nautika dari Kuala Terengganu semalam.

Pengarah Maritim Negeri Terengganu Kepten Maritim Hamizan Abdul Rahman berkata bot itu dipintas oleh kapal peronda KM Sri Aman ketika Op Jaring Timur.

Tekong dan kru berusia antara 23 hingga 61 tahun gagal mengemukakan dokumen yang sah, katanya. Bot itu dan kira-kira 800 kilogram ikan dirampas."""

# A rewrite that does not say which day: only the outlet family links it to the English text.
DETENTION_MS_NO_DAY = DETENTION_MS.replace(" semalam.", ".")

# The same template a week earlier: another boat, other figures.
DETENTION_MS_OTHER = """APMM tahan bot nelayan Vietnam, 31 kru di perairan Kuala Terengganu

KUALA TERENGGANU: Agensi Penguatkuasaan Maritim Malaysia (APMM) menahan sebuah bot nelayan Vietnam bersama 31 kru kira-kira 102 batu nautika dari Kuala Terengganu semalam.

Pengarah Maritim Negeri Terengganu Kepten Maritim Hamizan Abdul Rahman berkata bot itu dipintas oleh kapal peronda KM Sri Aman ketika Op Jaring Timur.

Tekong dan kru berusia antara 19 hingga 52 tahun gagal mengemukakan dokumen yang sah, katanya. Bot itu dan kira-kira 2,100 kilogram ikan dirampas."""


def one_story(ing: Ingestor, *results: IngestResult) -> bool:
    return len({r.story_id for r in results}) == 1 and len(members(ing, results[-1].article_id)) == len(results)


def test_a_translation_with_the_weekday_for_the_date_joins_its_original(database_url: str) -> None:
    ing = make_ingestor(database_url)
    vi = ing.ingest(
        rec("https://www.vietnamplus.vn/hotline-1.vnp", HOTLINE_VI, "vietnamplus", language="vi", outlet_family="vna")
    )
    en = ing.ingest(
        rec(
            "https://vietnamnews.vn/hotline-1.html",
            HOTLINE_EN,
            "vietnamnews",
            T0 + timedelta(hours=2),
            outlet_family="vna",
        )
    )
    assert vi.status == en.status == "stored"
    assert not en.new_story and one_story(ing, vi, en)


def test_a_look_alike_on_another_day_stays_apart_from_the_translation(database_url: str) -> None:
    ing = make_ingestor(database_url)
    other = ing.ingest(
        rec(
            "https://www.vietnamplus.vn/hotline-0.vnp",
            HOTLINE_VI_OTHER_DAY,
            "vietnamplus",
            T0 - timedelta(days=1),
            language="vi",
            outlet_family="vna",
        )
    )
    en = ing.ingest(rec("https://vietnamnews.vn/hotline-1.html", HOTLINE_EN, "vietnamnews", outlet_family="vna"))
    assert other.status == en.status == "stored"
    assert en.new_story and other.story_id != en.story_id


def test_the_languages_of_one_wire_report_with_the_same_day_join(database_url: str) -> None:
    ing = make_ingestor(database_url)
    reprint = ing.ingest(rec("https://thesun.my/mmea-14-crew", DETENTION_EN, "thesun"))
    malay = ing.ingest(
        rec(
            "https://www.bernama.com/bm/news.php?id=8",
            DETENTION_MS,
            "bernama-bm",
            T0 + timedelta(hours=1),
            language="ms",
        )
    )
    assert not malay.new_story and one_story(ing, reprint, malay)


def test_a_dropped_wire_original_still_links_its_reprint_to_its_other_edition(database_url: str) -> None:
    ing = make_ingestor(database_url)
    reprint = ing.ingest(rec("https://thesun.my/mmea-14-crew", DETENTION_EN, "thesun"))
    original = ing.ingest(
        rec("https://www.bernama.com/en/news.php?id=7", DETENTION_EN, "bernama-en", outlet_family="bernama")
    )
    assert (reprint.status, original.reason) == ("stored", "dedup/content")
    # The family is stored with the reprint: a process started afterwards knows it too.
    fresh = make_ingestor(database_url)
    malay = fresh.ingest(
        rec(
            "https://www.bernama.com/bm/news.php?id=8",
            DETENTION_MS_NO_DAY,
            "bernama-bm",
            T0 + timedelta(hours=1),
            language="ms",
            outlet_family="bernama",
        )
    )
    assert malay.status == "stored" and not malay.new_story and one_story(fresh, reprint, malay)


def test_without_the_dropped_original_the_editions_stay_apart(database_url: str) -> None:
    ing = make_ingestor(database_url, semantic=False)
    reprint = ing.ingest(rec("https://thesun.my/mmea-14-crew", DETENTION_EN, "thesun"))
    malay = ing.ingest(
        rec(
            "https://www.bernama.com/bm/news.php?id=8",
            DETENTION_MS_NO_DAY,
            "bernama-bm",
            T0 + timedelta(hours=1),
            language="ms",
            outlet_family="bernama",
        )
    )
    assert malay.new_story and malay.story_id != reprint.story_id


def test_a_dropped_wire_original_arriving_last_merges_the_two_editions(database_url: str) -> None:
    ing = make_ingestor(database_url)
    malay = ing.ingest(
        rec(
            "https://www.bernama.com/bm/news.php?id=8",
            DETENTION_MS_NO_DAY,
            "bernama-bm",
            language="ms",
            outlet_family="bernama",
        )
    )
    reprint = ing.ingest(rec("https://thesun.my/mmea-14-crew", DETENTION_EN, "thesun", T0 + timedelta(hours=1)))
    original = ing.ingest(
        rec(
            "https://www.bernama.com/en/news.php?id=7",
            DETENTION_EN,
            "bernama-en",
            T0 + timedelta(hours=1),
            outlet_family="bernama",
        )
    )
    assert original.reason == "dedup/content"
    assert sorted(members(ing, reprint.article_id)) == sorted(members(ing, malay.article_id))
    assert len(members(ing, malay.article_id)) == 2


def test_the_reprint_never_joins_a_look_alike_of_another_boat(database_url: str) -> None:
    ing = make_ingestor(database_url)
    other = ing.ingest(
        rec(
            "https://www.bernama.com/bm/news.php?id=2",
            DETENTION_MS_OTHER,
            "bernama-bm",
            T0 - timedelta(days=2),
            language="ms",
            outlet_family="bernama",
        )
    )
    reprint = ing.ingest(rec("https://thesun.my/mmea-14-crew", DETENTION_EN, "thesun"))
    original = ing.ingest(
        rec("https://www.bernama.com/en/news.php?id=7", DETENTION_EN, "bernama-en", outlet_family="bernama")
    )
    assert original.reason == "dedup/content"
    assert reprint.story_id != other.story_id
    assert len(members(ing, reprint.article_id)) == 1 and len(members(ing, other.article_id)) == 1
