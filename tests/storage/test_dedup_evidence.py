"""The evidence that decides whether two reports are one event (``storage.dedup.evidence``,
``storage.dedup.shingles``): what a reader would call the same date, day, figure or person in
two wordings or languages."""

from __future__ import annotations

from storage.dedup.evidence import (
    days_disagree,
    extract_signals,
    name_entities,
    partners,
    partners_conflict,
    quantities,
    quantity_conflicts,
)
from storage.dedup.shingles import longest_shared_run, shingle_set


def test_weekdays_are_read_in_each_language_and_ordinals_are_not_weekdays() -> None:
    assert extract_signals("", "The talks were held on Wednesday.").weekdays == {3}
    assert extract_signals("", "Pada Rabu (26/10), kedua-dua menteri bertemu.").weekdays == {3}
    assert extract_signals("", "Les deux ministres se sont rencontrés mercredi.").weekdays == {3}
    assert extract_signals("", "会谈于星期三举行。").weekdays == {3}
    # Vietnamese "thứ ba" is also "third", Indonesian "minggu" also "week": not read as days.
    assert extract_signals("", "Đây là lần thứ ba trong minggu ini.").weekdays == frozenset()


def test_different_days_or_dates_disagree_and_a_missing_one_does_not() -> None:
    tuesday = extract_signals("", "The boats were detained on Tuesday.")
    friday = extract_signals("", "The boats were detained on Friday.")
    undated = extract_signals("", "The boats were detained this week.")
    assert days_disagree(tuesday, friday)
    assert not days_disagree(tuesday, undated)
    assert days_disagree(extract_signals("", "on March 12"), extract_signals("", "on March 19"))
    assert not days_disagree(extract_signals("", "on March 12"), extract_signals("", "ngày 12/3"))


def test_figures_are_compared_by_what_they_count_whatever_the_wording() -> None:
    a = quantities("The boat was seized about 105 nautical miles off Tok Bali with 300 kilograms of fish.")
    b = quantities("Its catch of 5,000 kilograms was found 94 nautical miles from the estuary.")
    same = quantities("Officers found 300 kilograms of fish on the boat, 105 nautical miles out.")
    assert quantity_conflicts(a, b) == (2, 0)
    assert quantity_conflicts(a, same) == (0, 2)


def test_amounts_count_with_their_currency_and_law_sections_do_not_count() -> None:
    numbers = extract_signals("", "Assets worth RM100,000 were seized under Section 15(1)(a) with 29 crew.").numbers
    assert numbers == {"100000", "29"}


def test_malay_names_match_without_their_particles_and_honorifics() -> None:
    english = extract_signals("", "Dato' Seri Utama Haji Mohamad Bin Haji Hasan arrived.").names
    malay = extract_signals("", "Datuk Seri Mohamad Hasan tiba.").names
    assert "mohamad hasan" in english & malay


def test_name_pairs_that_share_a_word_are_one_person() -> None:
    assert name_entities({"minister narendra", "narendra modi", "nguyen tan", "tan dung", "new delhi"}) == 3


def test_a_reused_sentence_is_a_long_shared_run_and_a_common_phrase_is_not() -> None:
    wire = "Vietnam wants the craft for surveillance off its coast and around its military bases in the Spratly chain."
    reuse = (
        "Officials said on Tuesday that Vietnam wants the craft for surveillance off its coast"
        " and around its military bases in the Spratly chain."
    )
    phrase = "Both sides agreed that Vietnam wants the craft to arrive soon, officials said."
    assert longest_shared_run(reuse, shingle_set(wire)) == 18  # the whole wire sentence
    assert longest_shared_run(phrase, shingle_set(wire)) < 12


def test_countries_are_read_in_each_language_with_and_without_diacritics() -> None:
    assert partners("", "Đại sứ Ấn Độ; đại sứ An Do; India; l'Inde; New Delhi") == {"in": 5}
    assert partners("", "Ô-xtrây-li-a, O-xtray-li-a, Úc và Australia") == {"au": 4}
    assert partners("", "Jepun, Amerika Syarikat, Perancis, Kemboja, Filipina, Rusia dan Korea Selatan") == {
        "jp": 1,
        "us": 1,
        "fr": 1,
        "kh": 1,
        "ph": 1,
        "ru": 1,
        "kr": 1,
    }
    assert partners("", "Hàn Quốc, Nhật Bản, Trung Quốc, Hoa Kỳ, Lào, Campuchia, Thái Lan, Xinh-ga-po") == {
        "kr": 1,
        "jp": 1,
        "cn": 1,
        "us": 1,
        "la": 1,
        "kh": 1,
        "th": 1,
        "sg": 1,
    }
    assert partners("Vietnam, Australia deepen ties", "The Australian envoy.") == {"au": 3}  # title counts twice
    assert partners("", "Vietnam-India talks; Cam-pu-chia; U.S. and US$20; South Korea, North Korea") == {
        "in": 1,
        "kh": 1,
        "us": 1,
        "kr": 1,
        "kp": 1,
    }


def test_names_places_and_words_that_contain_a_country_are_not_that_country() -> None:
    text = (
        "Chị Nga học tiếng Anh ở Mỹ Đình, anh Đức đi Lào Cai; giá 23.000 đô la Mỹ."
        " Tensions in the South China Sea and the Indian Ocean; the ringgit against the US dollar."
    )
    assert partners("", text) == {}
    assert partners("", "Lãnh đạo Nga và Vương quốc Anh gặp Mỹ tại Hà Nội.") == {"ru": 1, "gb": 1, "us": 1}


def test_different_main_partners_conflict_and_a_partner_named_in_passing_does_not() -> None:
    india = extract_signals("Việt Nam - Ấn Độ thúc đẩy hợp tác", "Đại sứ Ấn Độ, Indonesia và Philippines.")
    australia = extract_signals("Vietnam, Australia deepen ties", "Australia trains officers from Indonesia.")
    assert partners_conflict(india, australia)
    # Mostly about Japan, but names Cambodia; the other mostly about Cambodia, but names Japan.
    japan = extract_signals("", "Japan and Japan's coast guard trained crews from Cambodia.")
    cambodia = extract_signals("", "Cambodia and Cambodian crews trained with Japan.")
    assert not partners_conflict(japan, cambodia)
    # Once is background: no main partner, no conflict.
    assert not partners_conflict(extract_signals("", "India sent a note."), australia)
    assert not partners_conflict(extract_signals("", "Malaysia and Vietnam held talks."), australia)
