"""Text normalisation and language detection shared by dedup (storage) and watches (alerts).

``normalize`` is the one definition of "the same text": Unicode NFC, case-folded, whitespace
collapsed. ``strip_diacritics`` maps Vietnamese and Malay text to plain ASCII letters
(``Phan Văn Giang`` -> ``phan van giang``, ``đ`` -> ``d``) for the places that ask for it.
Language detection uses Lingua restricted to the languages Newswatch reads, because a
detector choosing among 75 languages mistakes short Malay for Indonesian or Tagalog.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

LANGUAGES = ("en", "vi", "ms")
_SPACE_RE = re.compile(r"\s+")
# Letters Vietnamese uses that never occur in English or Malay text.
_VI_ONLY_RE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


def normalize(text: str) -> str:
    """NFC, case-folded, with runs of whitespace (including NBSP) folded to one space."""
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


def strip_diacritics(text: str) -> str:
    """Remove combining marks and map đ/Đ to d/D; the result is NFC."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


@functools.cache
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return (
        LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.VIETNAMESE, Language.MALAY)
        .with_preloaded_language_models()
        .build()
    )


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text`` among en/vi/ms, or None when there is too little text."""
    sample = text[:2000]
    if len(sample.strip()) < 20:
        return None
    # Vietnamese is unmistakable when its letters are dense (English copy from Vietnamese
    # outlets keeps the diacritics of names, so a few of them prove nothing).
    letters = sum(ch.isalpha() for ch in sample)
    if letters and len(_VI_ONLY_RE.findall(sample)) / letters > 0.08:
        return "vi"
    language = _detector().detect_language_of(sample)
    if language is None:
        return None
    return str(language.iso_code_639_1.name).lower()
