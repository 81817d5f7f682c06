"""Language knowledge as dedup, extraction and watches rely on it: one folding, one calendar of
month and weekday names in English, Malay, French and Vietnamese, country and term lexicons."""

from __future__ import annotations

import re
import unicodedata

from language import fold, normalize, strip_diacritics
from language.countries import country_mentions
from language.dates import find_dates, find_relative_days, find_weekdays, month_number
from language.lexicon import concepts


def words(text: str) -> list[str]:
    return re.findall(r"\w+", fold(text))


def test_folding_makes_vietnamese_and_malay_names_plain_whatever_their_unicode_form() -> None:
    assert strip_diacritics("Đại tướng Phan Văn Giang") == "Dai tuong Phan Van Giang"
    assert fold("Đại tướng Phan Văn Giang") == "dai tuong phan van giang"
    assert fold(unicodedata.normalize("NFD", "Việt Nam")) == fold("Việt Nam") == "viet nam"
    assert fold("garde-côte") == "garde-cote"


def test_the_same_text_ignores_case_whitespace_and_unicode_form() -> None:
    assert normalize("  Hải\u00a0QUÂN\n Malaysia ") == normalize(unicodedata.normalize("NFD", "hải quân malaysia"))


def test_months_are_read_in_english_malay_and_french_with_or_without_accents() -> None:
    assert [month_number(name) for name in ("Sept", "Disember", "Okt", "mai", "février", "fevrier", "Août")] == [
        9,
        12,
        10,
        5,
        2,
        2,
        8,
    ]
    assert month_number("tháng") is None


def test_dates_weekdays_and_relative_days_in_running_text() -> None:
    assert find_dates(fold("on May 23, 23 Mei, ngày 24 tháng 5, 25/5/2024 và 23 février")) == {
        (23, 5),
        (24, 5),
        (25, 5),
        (23, 2),
    }
    assert find_dates("5月23日") == {(23, 5)}
    assert find_weekdays(fold("Pada Rabu, mercredi, Chủ nhật, 星期五")) == {3, 5, 7}
    # Vietnamese "thứ ba" is also "third", Indonesian "minggu" also "week": not days.
    assert find_weekdays(fold("lần thứ ba trong minggu ini")) == frozenset()
    assert find_relative_days(words("Hôm qua, hari ini")) == {0, 1}


def test_countries_are_named_in_four_languages_and_vietnamese_short_names_only_outside_names() -> None:
    assert country_mentions("Ấn Độ, India, Inde and New Delhi") == ["in", "in", "in", "in"]
    assert country_mentions("Bộ trưởng thăm Mỹ và Úc") == ["us", "au"]
    assert country_mentions("Sân vận động Mỹ Đình, chị Nga, đô la Mỹ") == []
    assert country_mentions("patrols in the South China Sea, paid in US$") == []


def test_institutions_and_terms_share_one_id_across_languages() -> None:
    assert concepts(words("APMM menahan bot nelayan")) == {"mmea", "detention", "fishing-boat", "fishermen"}
    assert concepts(words("Cơ quan Thực thi Hàng hải Malaysia bắt giữ tàu cá")) == {
        "mmea",
        "detention",
        "fishing-boat",
    }
