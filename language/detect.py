"""Language detection among the languages Newswatch reads (``LANGUAGES``: en, vi, ms).

Lingua, restricted to those languages, because a detector choosing among 75 mistakes short
Malay for Indonesian or Tagalog; dense Vietnamese letters decide before Lingua is asked. The
detector (and its models, about 1 s to load) is built on the first call, not at import.

Reads no configuration: an outlet's ``language`` key, when set, is used instead of detection by
the callers (``crawler.extract``, ``storage.ingest``).
"""

from __future__ import annotations

import functools
import re
from typing import Any

LANGUAGES = ("en", "vi", "ms")
# Letters Vietnamese uses that never occur in English or Malay text.
_VI_ONLY_RE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


@functools.cache
def _detector() -> Any:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_preloaded_language_models().build()


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
