"""Language detection as a user meets it: a page is stored in its language, or as unknown when
it is in a language Newswatch does not read, never as English by default; an outlet's declared
languages limit the choice. Texts here are written for the tests."""

from __future__ import annotations

import pytest

from language import detect_language, language_name, languages

TEXTS = {
    "en": "The two navies agreed to set up a hotline to handle incidents at sea, the ministry said on Tuesday.",
    "vi": "Bộ Quốc phòng Việt Nam và Malaysia nhất trí tăng cường hợp tác hải quân và trao đổi thông tin trên biển.",
    "ms": "Kerajaan Malaysia berkata bahawa kapal tentera laut akan meronda perairan itu kerana kegiatan "
    "menangkap ikan secara haram semakin meningkat sejak bulan Ogos.",
    "id": "Pemerintah Indonesia mengatakan bahwa kapal tentara akan berpatroli di perairan itu karena kegiatan "
    "penangkapan ikan ilegal terus meningkat sejak bulan Agustus.",
    "de": "Die Marine hat am Dienstag zwei Schiffe in das Südchinesische Meer geschickt, nachdem Fischerboote "
    "in der Nähe der Inseln festgehalten worden waren.",
    "fr": "La marine a envoyé mardi deux navires en mer de Chine méridionale après l'arrestation de bateaux de "
    "pêche près des îles.",
    "es": "La armada envió el martes dos buques al mar de China Meridional después de que varios barcos "
    "pesqueros fueran retenidos cerca de las islas.",
    "tl": "Nagpadala ang hukbong-dagat ng dalawang barko sa karagatan matapos hulihin ang mga bangkang "
    "pangisda malapit sa mga isla noong Martes.",
    "th": "กองทัพเรือส่งเรือสองลำไปยังทะเลจีนใต้เมื่อวันอังคาร หลังจากเรือประมงถูกควบคุมตัวใกล้หมู่เกาะ",
    "zh": "海军周二向南海派出两艘舰艇，此前渔船在岛屿附近被扣押。双方同意加强海上合作。",
    "ja": "海軍は火曜日、漁船が島の近くで拘束された後、南シナ海に二隻の艦艇を派遣した。",
    "ru": "Во вторник военно-морской флот направил два корабля в Южно-Китайское море после задержания "
    "рыболовных судов.",
    "km": "កងទ័ពជើងទឹកបានបញ្ជូនកប៉ាល់ពីរគ្រឿងទៅកាន់សមុទ្រចិនខាងត្បូងកាលពីថ្ងៃអង្គារ",
}
# Languages Newswatch does not read: recognised as such, stored as unknown.
FOREIGN = {
    "pl": "Rząd ogłosił we wtorek nowe środki wzmacniające marynarkę wojenną. Minister obrony powiedział, "
    "że okręty popłyną w przyszłym roku na Ocean Indyjski.",
    "tr": "Hükümet salı günü donanmayı güçlendirmek için yeni önlemler açıkladı. Savunma bakanı gemilerin "
    "gelecek yıl Hint Okyanusu'na gideceğini söyledi.",
}


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_a_page_without_a_declared_language_is_stored_in_its_own(code: str) -> None:
    assert detect_language(TEXTS[code]) == code


@pytest.mark.parametrize("code", sorted(FOREIGN))
def test_a_page_in_a_language_we_do_not_read_is_unknown_not_english(code: str) -> None:
    assert detect_language(FOREIGN[code]) is None


def test_too_little_text_is_unknown() -> None:
    assert detect_language("short") is None
    assert detect_language("1234 5678 -- 2025/05/23 | 10:15") is None


def test_declared_languages_limit_the_choice() -> None:
    both = ("en", "ms")
    assert detect_language(TEXTS["ms"], among=both) == "ms"
    assert detect_language(TEXTS["en"], among=both) == "en"
    # An Indonesian text on a Malay and English outlet is Malay, the nearer of the two.
    assert detect_language(TEXTS["id"], among=both) == "ms"
    assert detect_language(TEXTS["de"], among=both) in both
    assert detect_language("anything at all, even short", among=("vi",)) == "vi"  # one language: as declared


def test_marker_words_tell_malay_from_indonesian_where_the_model_hesitates() -> None:
    # Short lines Lingua alone answers wrongly (checked when written): their spellings decide.
    assert detect_language("Kapal itu ditahan sejak Julai dan anak kapalnya diperiksa") == "ms"
    assert detect_language("Mahkamah menjatuhkan hukuman penjara kepada nakhoda kapal asing itu") == "ms"
    assert detect_language("Tentara laut menahan dua kapal asing di perairan utara") == "id"


def test_a_code_we_do_not_read_is_refused() -> None:
    with pytest.raises(ValueError, match="xx"):
        detect_language(TEXTS["en"], among=("en", "xx"))


def test_every_language_read_has_a_name_and_the_model_knows_those_it_is_asked_about() -> None:
    from lingua import IsoCode639_1

    for code, language in languages().items():
        assert language.name and language_name(code) == language.name
        if language.model:
            assert hasattr(IsoCode639_1, code.upper()), code
        else:
            assert language.letters is not None, code
        for other in language.close:
            assert other in languages() and language.markers, code
    assert {"en", "vi", "ms", "id", "tl", "th", "zh", "fr", "de", "es"} <= set(languages())
    assert language_name(None) == "unknown" and language_name("xx") == "xx"
