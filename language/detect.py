"""The languages Newswatch reads, and language detection among them.

The languages are data (``language/data/languages.toml``): their codes are what config keys may
name (an outlet's ``language``, ``languages`` and ``language_by_path``, a watch's
``languages``) and what detection may answer. Detection, in order:

1. Too little text (under ``MIN_LETTERS`` letters) is unknown (``None``).
2. A script only one language writes (Khmer, Lao, Burmese: ``letters``) decides when it is at
   least half of the letters; the statistical model does not know these languages.
3. Lingua, the statistical model. Without a declared set it chooses among *every* language it
   knows, so a page in a language we do not read (Polish, Turkish) is recognised as such and
   stored as unknown, instead of being forced into the nearest of ours; an answer outside our
   languages is ``None``. With a declared set (a multilingual outlet's ``languages``), it
   chooses among those alone.
4. Close languages (Malay and Indonesian) whose short texts the model confuses are settled by
   marker words, when the text has more markers of one than of the other.

The all-language model runs in Lingua's low-accuracy mode: trigrams only, loaded per language
on first use (about 130 MB for the Latin-script languages). High-accuracy mode gives the same
answers on texts of 120 characters or more and would load 1-to-5-gram models, over 1 GB, for
short ones. A declared set (a few languages) uses high-accuracy mode. Nothing is loaded at
import; ``bench/eval_language.py`` measures the accuracy on the devsets.

Reads no configuration: the callers pass an outlet's declared languages (``crawler.extract``;
``storage.ingest`` detects only what the crawl left unknown or an import did not say).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from language.datafiles import load

MIN_LETTERS = 20
SAMPLE_CHARS = 2000  # the model's answer does not change past the first paragraphs
_WORD_RE = re.compile(r"\w+")


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    model: bool = True
    letters: re.Pattern[str] | None = None
    close: tuple[str, ...] = ()
    markers: frozenset[str] = frozenset()


@functools.cache
def languages() -> Mapping[str, Language]:
    """Every language Newswatch reads, by ISO 639-1 code, in the data file's order."""
    result = {}
    for code, entry in load("languages").items():
        letters = entry.get("letters")
        result[code] = Language(
            code=code,
            name=entry["name"],
            model=entry.get("model", True),
            letters=re.compile(f"[{letters}]") if letters else None,
            close=tuple(entry.get("close", ())),
            markers=frozenset(entry.get("markers", ())),
        )
    return result


def language_name(code: str | None) -> str:
    """``vi`` -> ``Vietnamese``; a code we do not read is shown as it is, none as ``unknown``."""
    if not code:
        return "unknown"
    known = languages().get(code.lower())
    return known.name if known is not None else code


def detect_language(text: str, among: Collection[str] = ()) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or None when unknown.

    ``among``: the languages the text may be in (an outlet's declaration); empty means any
    language we read. Raises ``ValueError`` for a code we do not read (config refuses those).
    """
    known = languages()
    wrong = [code for code in among if code not in known]
    if wrong:
        raise ValueError(f"languages not read by Newswatch: {', '.join(wrong)}")
    candidates = tuple(dict.fromkeys(among)) or tuple(known)
    if len(candidates) == 1:
        return candidates[0]
    sample = text[:SAMPLE_CHARS]
    letters = sum(ch.isalpha() for ch in sample)
    if letters < MIN_LETTERS:
        return None
    for candidate in candidates:
        pattern = known[candidate].letters
        if pattern is not None and 2 * len(pattern.findall(sample)) >= letters:
            return candidate
    modelled = tuple(c for c in candidates if known[c].model)
    if len(modelled) < 2:
        return modelled[0] if modelled and among else None
    found = _model(frozenset(modelled) if among else None).detect_language_of(sample)
    code = str(found.iso_code_639_1.name).lower() if found is not None else None
    if code is None or code not in modelled:
        return None
    return _settle_close(code, sample, modelled)


def _settle_close(code: str, sample: str, candidates: tuple[str, ...]) -> str:
    """``code``, or the close language whose marker words the text has more of."""
    known = languages()
    rivals = [other for other in known[code].close if other in candidates]
    if not rivals:
        return code
    words = Counter(_WORD_RE.findall(sample.casefold()))
    score = {c: sum(words[m] for m in known[c].markers) for c in (code, *rivals)}
    best = max(rivals, key=lambda c: score[c])
    return best if score[best] > score[code] else code


@functools.cache
def _model(among: frozenset[str] | None) -> Any:
    """Lingua's detector among ``among`` (high accuracy), or among all it knows (low accuracy)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    if among is None:
        return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()
    codes = [getattr(IsoCode639_1, code.upper()) for code in sorted(among)]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
