"""Features of an article text used by deduplication (``storage.dedup``); pure functions.

Two kinds of features:

* **Shingles** for same-language copies: overlapping runs of ``SHINGLE`` words of the text,
  case-folded and without diacritics (a copy that lost its tone marks is still a copy),
  hashed with a stable hash so that the sampled ones can be stored in the database.
* **Translation-proof signals** for reports of one event in another language: multi-word
  proper names without diacritics (``Phan Văn Giang`` = ``Phan Van Giang``), numbers (29
  fishermen, hull numbers, RM amounts) and calendar dates written in English, Malay,
  Vietnamese or French (``May 23``, ``23 Mei``, ``ngày 23/5``, ``23 mai``).

Reads no configuration.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

SHINGLE = 4
# Keep a shingle as an index key when its hash is 0 modulo this: the choice depends only on
# the shingle, so the part two texts share yields the same keys in both (a local paragraph
# or a cut ending does not change the keys of the rest).
SAMPLE_MOD = 16
MAX_SAMPLES = 32
MAX_ANCHORS = 16

_WORD_RE = re.compile(r"\w+")
_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_TOKEN_RE = re.compile(r"\S+")
_EDGE_PUNCT = "\"'“”‘’()[],.;:!?«»—–-"
_NAME_PARTICLES = frozenset({"bin", "binti", "bte", "b.", "al", "a/l", "a/p"})
# ASCII boundaries, not \w: in Chinese "23名" the number touches a letter.
_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z.,/])(\d{1,3}(?:[.,]\d{3})+|\d+)(?:[.,](\d+))?(?![0-9A-Za-z/])")
# Names that almost every article in this domain carries: they prove nothing about the event.
_COMMON_NAMES = frozenset(
    {
        "viet nam",
        "vietnam",
        "malaysia",
        "south china sea",
        "south china",
        "china sea",
        "east sea",
        "bien dong",
        "laut china selatan",
        "kuala lumpur",
        "ha noi",
        "hanoi",
        "ho chi minh",
        "ho chi minh city",
        "prime minister",
        "foreign minister",
        "defence minister",
        "defense minister",
        "ministry of defence",
        "ministry of national defence",
        "ministry of foreign affairs",
        "vietnam news agency",
        "vietnam news",
        "viet nam news",
        "bernama",
        "royal malaysian navy",
        "malaysian maritime enforcement agency",
        "agensi penguatkuasaan maritim malaysia",
        "vietnam people's army",
        "people's army",
        "communist party",
        "hanoi vna",
        "ha noi vna",
        "quan doi nhan dan",
        "bo quoc phong",
        "thu tuong",
        "dai tuong",
        "datuk seri",
        "dato seri",
        "tan sri",
    }
)
# Words of offices and honorifics: a pair made only of these names no one.
_TITLE_WORDS = frozenset(
    [
        "prime",
        "minister",
        "general",
        "secretary",
        "president",
        "deputy",
        "vice",
        "foreign",
        "defence",
        "defense",
        "ministry",
        "national",
        "senior",
        "lieutenant",
        "colonel",
        "major",
        "admiral",
        "captain",
        "maritime",
        "director",
        "chief",
        "datuk",
        "dato",
        "seri",
        "tan",
        "sri",
        "haji",
        "yb",
        "utama",
        "menteri",
        "pertahanan",
        "perdana",
        "timbalan",
        "ketua",
        "pengarah",
        "dai",
        "tuong",
        "thuong",
        "thu",
        "truong",
        "bo",
        "quoc",
        "phong",
        "chu",
        "tich",
        "tong",
        "bi",
        "thu",
        "malaysian",
        "vietnamese",
        "viet",
        "nam",
        "vietnam",
        "malaysia",
        "royal",
        "navy",
        "coast",
        "guard",
        "people",
        "army",
        "embassy",
        "ambassador",
        "agency",
        "department",
        "committee",
        "central",
        "party",
        "communist",
    ]
)
_LEADING_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "in",
        "on",
        "at",
        "of",
        "for",
        "and",
        "but",
        "this",
        "that",
        "these",
        "its",
        "his",
        "her",
        "their",
        "as",
        "by",
        "from",
        "with",
        "to",
        "la",
        "le",
        "les",
        "l",
        "de",
        "du",
        "des",
        "en",
        "et",
        "au",
        "aux",
        "sur",
        "dans",
        "pour",
        "une",
        "un",
        "ce",
        "cette",
        "di",
        "dan",
        "yang",
        "ke",
        "pada",
        "oleh",
        "untuk",
        "dalam",
        "ini",
        "itu",
        "ngay",
        "theo",
        "tai",
        "trong",
        "va",
        "cac",
        "nhung",
        "ong",
        "ba",
    ]
)

_MONTHS: dict[str, int] = {}
for _number, _spellings in enumerate(
    [
        "january jan janvier januari",
        "february feb fevrier februari",
        "march mar mars mac",
        "april apr avril",
        "may mai mei",
        "june jun juin",
        "july jul juillet julai",
        "august aug aout ogos",
        "september sep sept septembre",
        "october oct octobre oktober",
        "november nov novembre",
        "december dec decembre disember",
    ],
    start=1,
):
    for _name in _spellings.split():
        _MONTHS[_name] = _number
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH_RE = re.compile(rf"\b(\d{{1,2}})(?:er)?\.? ({_MONTH_ALT})\b\.?")
_MONTH_DAY_RE = re.compile(rf"\b({_MONTH_ALT})\.? (\d{{1,2}})(?:st|nd|rd|th)?\b")
_VI_DATE_RE = re.compile(r"\bngay (\d{1,2}) thang (\d{1,2})\b")
_SLASH_DATE_RE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(?:\d{4}|\d{2}))?(?![\d/])")
_CJK_DATE_RE = re.compile(r"(\d{1,2})月(\d{1,2})日")


def stable_hash(value: str) -> int:
    """A 64-bit hash that is the same in every process (Python's ``hash`` is salted)."""
    return int.from_bytes(hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest(), "little")


@functools.lru_cache(maxsize=16)
def words(text: str) -> tuple[str, ...]:
    """Case-folded words without diacritics (cached: fingerprinting and verifying one new
    article both need them)."""
    return tuple(_WORD_RE.findall(_fold(text)))


def _fold(text: str) -> str:
    """``storage.text.strip_diacritics(normalize(text))``, the combining marks removed by one regex
    rather than a character loop (this runs on every stored article)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return _COMBINING_RE.sub("", decomposed).casefold()


@functools.lru_cache(maxsize=256)
def shingle_set(text: str) -> frozenset[int]:
    """Process-local hashes of every run of ``SHINGLE`` words (for verifying a candidate;
    cached, because the stories of the day are the candidates of many new articles)."""
    w = words(text)
    if len(w) < SHINGLE:
        return frozenset({hash(" ".join(w))} if w else ())
    return frozenset(hash(" ".join(w[i : i + SHINGLE])) for i in range(len(w) - SHINGLE + 1))


def sample_keys(text: str) -> list[int]:
    """Stable hashes of the sampled shingles: the keys of the near-duplicate index.

    CRC-32 (in C, stable across processes) picks the sample; the key is CRC-32 and Adler-32
    side by side, 64 bits, which is plenty for finding candidates that are verified anyway.
    """
    w = words(text)
    seen = {" ".join(w[i : i + SHINGLE]).encode("utf-8") for i in range(max(len(w) - SHINGLE + 1, 1))}
    keys = []
    for shingle in seen:
        crc = zlib.crc32(shingle)
        if crc % SAMPLE_MOD == 0:
            keys.append((crc << 32) | zlib.adler32(shingle))
    keys.sort()
    return keys[:MAX_SAMPLES]


def number_slots(text: str) -> dict[tuple[str, ...], set[str]]:
    """Each number keyed by the two words either side of it: ``with _ crew members``.

    A text reused as a template for another event keeps the words and changes the numbers;
    a syndicated copy keeps both. Comparing numbers slot by slot tells the two apart.
    """
    w = words(text)
    slots: dict[tuple[str, ...], set[str]] = {}
    for i, token in enumerate(w):
        if token.isdigit() and not (len(token) == 4 and 1900 <= int(token) <= 2100):
            key = (*w[max(i - 2, 0) : i], "_", *w[i + 1 : i + 3])
            slots.setdefault(key, set()).add(token)
    return slots


def number_conflicts(a: dict[tuple[str, ...], set[str]], b: dict[tuple[str, ...], set[str]]) -> tuple[int, int]:
    """(slots where the numbers differ, slots where they agree) of two texts."""
    differ = agree = 0
    for key, numbers in a.items():
        other = b.get(key)
        if other is not None:
            if numbers & other:
                agree += 1
            else:
                differ += 1
    return differ, agree


@dataclass(frozen=True)
class Signals:
    """What survives translation: proper names, numbers, (day, month) dates."""

    names: frozenset[str]
    numbers: frozenset[str]
    dates: frozenset[tuple[int, int]]

    def to_json(self) -> dict[str, list[str]]:
        return {
            "names": sorted(self.names),
            "numbers": sorted(self.numbers),
            "dates": sorted(f"{d}/{m}" for d, m in self.dates),
        }

    @classmethod
    def from_json(cls, data: dict[str, object] | None) -> Signals:
        data = data or {}

        def strings(key: str) -> list[str]:
            value = data.get(key)
            return [str(v) for v in value] if isinstance(value, list) else []

        dates: set[tuple[int, int]] = set()
        for item in strings("dates"):
            day, _, month = item.partition("/")
            if day.isdigit() and month.isdigit():
                dates.add((int(day), int(month)))
        return cls(frozenset(strings("names")), frozenset(strings("numbers")), frozenset(dates))

    def anchors(self) -> list[str]:
        """The index keys for cross-language candidates: specific names, then numbers."""
        names = sorted(self.names, key=lambda n: (-len(n), n))
        return ([f"n:{n}" for n in names] + [f"#:{n}" for n in sorted(self.numbers)])[:MAX_ANCHORS]


def extract_signals(title: str, text: str) -> Signals:
    body = f"{title}\n{text}"
    return Signals(_names(body), _numbers(body), _dates(body))


def _names(text: str) -> frozenset[str]:
    """Adjacent pairs of capitalised words without diacritics (``narendra modi``), so a name
    matches whatever title or honorific precedes it in the other language."""
    found: set[str] = set()
    run: list[str] = []
    for token in _TOKEN_RE.findall(text):
        word = token.strip(_EDGE_PUNCT)
        if run and word.casefold() in _NAME_PARTICLES:
            continue  # "Mohamad bin Hasan": the particle neither breaks nor joins the name
        if word and word[0].isupper() and not word.isupper() and word[0].isalpha():
            run.append(_fold(word).removesuffix("’s").removesuffix("'s"))
        else:
            run = []
            continue
        if token[-1] in ',.;:!?)”"':
            _add_pairs(run, found)
            run = []
        elif len(run) >= 2:
            _add_pairs(run[-2:], found)
    return frozenset(found)


def _add_pairs(run: list[str], found: set[str]) -> None:
    for a, b in itertools.pairwise(run):
        if a in _LEADING_STOP or b in _LEADING_STOP or (a in _TITLE_WORDS and b in _TITLE_WORDS):
            continue
        name = f"{a} {b}"
        if name not in _COMMON_NAMES and len(name) >= 6:
            found.add(name)


def _numbers(text: str) -> frozenset[str]:
    """Numbers of two or more digits that are not years (those belong to dates)."""
    found: set[str] = set()
    for match in _NUMBER_RE.finditer(text):
        whole = re.sub(r"[.,]", "", match.group(1))
        if len(whole) < 2 or (len(whole) == 4 and 1900 <= int(whole) <= 2100 and not match.group(2)):
            continue
        found.add(whole.lstrip("0") or "0")
    return frozenset(found)


def _dates(text: str) -> frozenset[tuple[int, int]]:
    plain = _fold(text)
    found: set[tuple[int, int]] = set()
    for day, month_name in _DAY_MONTH_RE.findall(plain):
        found.add((int(day), _MONTHS[month_name]))
    for month_name, day in _MONTH_DAY_RE.findall(plain):
        found.add((int(day), _MONTHS[month_name]))
    for day, month in [*_VI_DATE_RE.findall(plain), *_SLASH_DATE_RE.findall(plain)]:
        found.add((int(day), int(month)))
    for month, day in _CJK_DATE_RE.findall(plain):
        found.add((int(day), int(month)))
    return frozenset((d, m) for d, m in found if 1 <= d <= 31 and 1 <= m <= 12)


def overlap(a: Iterable[str], b: Iterable[str]) -> set[str]:
    return set(a) & set(b)
