"""Features of an article text used by deduplication (``storage.dedup``); pure functions.

Four kinds of features:

* **Shingles** for same-language copies: overlapping runs of ``SHINGLE`` words of the text,
  case-folded and without diacritics (a copy that lost its tone marks is still a copy),
  hashed with a stable hash so that the sampled ones can be stored in the database.
* **Translation-proof signals** for reports of one event in another language: multi-word
  proper names without diacritics (``Phan Văn Giang`` = ``Phan Van Giang``), numbers (29
  fishermen, hull numbers, RM amounts) and calendar dates written in English, Malay,
  Vietnamese or French (``May 23``, ``23 Mei``, ``ngày 23/5``, ``23 mai``), and weekdays
  (``Wednesday``, ``Rabu``, ``mercredi``), which a rewrite or translation often gives instead.
* **Partner countries** (``partners``): the foreign countries a text names, counted, in
  English, Vietnamese (with or without diacritics), Malay and French; two reports whose main
  partners differ (``partners_conflict``) are two events, however much else they share.
* **Figures by what they count** (``quantities``: ``105 nautical``, ``300 kilograms``) and the
  longest run of words one text shares with another (``longest_shared_run``: a reused
  sentence), for rewrites that share too little text for a near duplicate.
* **Supporting evidence** for reports in different languages that share people or places but
  few figures: ``concepts`` (institutions and maritime terms with their equivalents in English,
  Vietnamese, Malay/Indonesian and French: MMEA = APMM = Cơ quan Thực thi Hàng hải Malaysia,
  coast guard = cảnh sát biển = pengawal pantai), and ``relative`` days (today, yesterday:
  ``hôm nay``, ``semalam``) that ``same_day`` turns into dates with the publication time, as it
  turns a date into its weekday. Never enough alone: ``storage.dedup`` asks for them together
  with people or places and a day in common.

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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

SHINGLE = 4
# Keep a shingle as an index key when its hash is 0 modulo this: the choice depends only on
# the shingle, so the part two texts share yields the same keys in both (a local paragraph
# or a cut ending does not change the keys of the rest).
SAMPLE_MOD = 16
MAX_SAMPLES = 32
MAX_ANCHORS = 24  # room for the people and places after the offices and phrases a text names

_WORD_RE = re.compile(r"\w+")
_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_TOKEN_RE = re.compile(r"\S+")
_EDGE_PUNCT = "\"'“”‘’()[],.;:!?«»—–-"
# Particles and honorifics inside a Malay name ("Mohamad Bin Haji Hasan" = "Mohamad Hasan").
_NAME_PARTICLES = frozenset({"bin", "binti", "bte", "b.", "al", "a/l", "a/p", "haji", "hajah", "hj", "hjh"})
# ASCII boundaries, not \w: in Chinese "23名" the number touches a letter.
_NUMBER_RE = re.compile(r"(?<![0-9A-Za-z.,/])(\d{1,3}(?:[.,]\d{3})+|\d+)(?:[.,](\d+))?(?![0-9A-Za-z/])")
# An amount with its currency written on (RM100,000): the number regex alone refuses a number
# glued to letters.
_CURRENCY_NUMBER_RE = re.compile(
    r"(?:RM|Rp|US\$|S\$|USD|VND|EUR|MYR)(\d{1,3}(?:[.,]\d{3})+|\d+)(?:[.,](\d+))?(?![0-9A-Za-z/])"
)
# Checked on the few characters before a number: "Section 15(1)(a)" cites a law, not a fact.
_LEGAL_BEFORE_RE = re.compile(
    r"(?:sections?|subsections?|seksyen|subseksyen|articles?|perkara|điều|khoản|chapter|regulations?|rules?)\s+$",
    re.IGNORECASE,
)
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
# Days of the week, 1 = Monday, in English, Malay/Indonesian, French and Chinese, and the
# Vietnamese Sunday; not Vietnamese "thu hai".."thu bay" (also "second".."seventh"), Indonesian
# "minggu" (also "week") or Chinese 周 (also a surname).
_WEEKDAYS: dict[str, int] = {}
for _number, _spellings in enumerate(
    [
        "monday isnin senin lundi",
        "tuesday selasa mardi",
        "wednesday rabu mercredi",
        "thursday khamis kamis jeudi",
        "friday jumaat jumat vendredi",
        "saturday sabtu samedi",
        "sunday ahad dimanche chu_nhat",
    ],
    start=1,
):
    for _name in _spellings.split():
        _WEEKDAYS[_name.replace("_", " ")] = _number
_CJK_WEEKDAY_RE = re.compile(r"星期([一二三四五六日天])")
_CJK_WEEKDAYS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7}
# Words after a number that are not its unit ("between 19 and 58", "on 12 March").
_NOT_UNITS = frozenset(_LEADING_STOP | set(_MONTHS) | {"to", "or", "nam"})  # "nam": Viet Nam or year


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
    return _strip(text).casefold()


def _strip(text: str) -> str:
    """The text without diacritics, case kept."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return _COMBINING_RE.sub("", decomposed)


@functools.lru_cache(maxsize=16)
def shingle_seq(text: str) -> tuple[int, ...]:
    """Process-local hashes of every run of ``SHINGLE`` words, in text order."""
    w = words(text)
    if len(w) < SHINGLE:
        return (hash(" ".join(w)),) if w else ()
    return tuple(hash(" ".join(w[i : i + SHINGLE])) for i in range(len(w) - SHINGLE + 1))


@functools.lru_cache(maxsize=256)
def shingle_set(text: str) -> frozenset[int]:
    """The shingles of ``shingle_seq`` as a set (for verifying a candidate; cached, because
    the stories of the day are the candidates of many new articles)."""
    return frozenset(shingle_seq(text))


def longest_shared_run(text: str, other: frozenset[int]) -> int:
    """The longest run of words of ``text`` that also occurs in the other text (whose
    shingles are ``other``): a reused sentence gives a long run, a shared phrase a short one.
    Consecutive shared shingles stand for one run, so it is an estimate from above only when
    two different passages happen to join, which needs a shared 4-word overlap at the seam."""
    best = run = 0
    for h in shingle_seq(text):
        run = run + 1 if h in other else 0
        best = max(best, run)
    return best + SHINGLE - 1 if best else 0


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


@functools.lru_cache(maxsize=16)
def quantities(text: str) -> dict[str, set[str]]:
    """Numbers keyed by the word that follows them, their unit: ``105 nautical``, ``300
    kilograms``, ``29 fishermen``. Unlike ``number_slots`` this survives rewording: a rewrite of
    one report keeps its figures whatever the sentence around them, another event changes them.
    (Cached: a new article is compared with several candidates. Do not modify the result.)"""
    w = words(text)
    found: dict[str, set[str]] = {}
    for i in range(len(w) - 1):
        token, unit = w[i], w[i + 1]
        if token.isdigit() and unit.isalpha() and len(unit) >= 2 and unit not in _NOT_UNITS:
            found.setdefault(unit, set()).add(token.lstrip("0") or "0")
    return found


def quantity_conflicts(a: dict[str, set[str]], b: dict[str, set[str]]) -> tuple[int, int]:
    """(units whose figures differ, units whose figures agree) between two texts."""
    differ = agree = 0
    for unit in a.keys() & b.keys():
        if a[unit] & b[unit]:
            agree += 1
        else:
            differ += 1
    return differ, agree


@dataclass(frozen=True)
class Signals:
    """What survives translation: proper names, numbers, (day, month) dates, weekdays."""

    names: frozenset[str]
    numbers: frozenset[str]
    dates: frozenset[tuple[int, int]]
    weekdays: frozenset[int] = frozenset()
    # Foreign countries named, with their mentions (``partners``); empty for articles stored
    # before this signal existed, which then never conflict.
    countries: dict[str, int] = field(default_factory=dict)
    # Supporting evidence only (``concepts``, ``relative``): empty for articles stored before.
    concepts: frozenset[str] = frozenset()
    relative: frozenset[int] = frozenset()  # days before publication: 0 today, 1 yesterday

    def to_json(self) -> dict[str, object]:
        return {
            "names": sorted(self.names),
            "numbers": sorted(self.numbers),
            "dates": sorted(f"{d}/{m}" for d, m in self.dates),
            "weekdays": [str(d) for d in sorted(self.weekdays)],
            "countries": dict(sorted(self.countries.items())),
            "concepts": sorted(self.concepts),
            "relative": [str(d) for d in sorted(self.relative)],
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
        weekdays = frozenset(int(d) for d in strings("weekdays") if d.isdigit())
        stored = data.get("countries")
        countries = {str(k): v for k, v in stored.items() if isinstance(v, int)} if isinstance(stored, dict) else {}
        return cls(
            frozenset(strings("names")),
            frozenset(strings("numbers")),
            frozenset(dates),
            weekdays,
            countries,
            frozenset(strings("concepts")),
            frozenset(int(d) for d in strings("relative") if d.isdigit()),
        )

    def anchors(self) -> list[str]:
        """The index keys for cross-language candidates: specific names, then numbers."""
        names = sorted(self.names, key=lambda n: (-len(n), n))
        return ([f"n:{n}" for n in names] + [f"#:{n}" for n in sorted(self.numbers)])[:MAX_ANCHORS]


def extract_signals(title: str, text: str) -> Signals:
    body = f"{title}\n{text}"
    plain = _fold(body)
    folded_words = _WORD_RE.findall(plain)
    return Signals(
        _names(body),
        _numbers(body),
        _dates(plain),
        _weekdays(plain),
        partners(title, text),
        concepts(folded_words),
        _relative_days(folded_words),
    )


def days_disagree(a: Signals, b: Signals) -> bool:
    """Whether two texts put their event on different days: both give calendar dates and
    share none, or both give weekdays and share none.

    A weekday is not compared with the other text's dates: the two often name different
    moments (a clash on Sunday, the ministry's briefing on Monday, the article's dateline)."""
    if a.dates and b.dates and not a.dates & b.dates:
        return True
    return bool(a.weekdays and b.weekdays and not a.weekdays & b.weekdays)


def name_entities(names: Iterable[str]) -> int:
    """The number of groups of name pairs linked by a shared word (one person or place each)."""
    groups: list[set[str]] = []
    for name in names:
        parts = set(name.split())
        linked = [g for g in groups if g & parts]
        for g in linked:
            groups.remove(g)
            parts |= g
        groups.append(parts)
    return len(groups)


# Institutions and terms of this domain with their equivalents in the monitored languages
# (folded: lower case, no diacritics), so that a translation shares them with its original.
# One concept per line: its id, then its spellings. Generic words ("minister", "defence") are
# left out: every report has them.
_CONCEPT_SPELLINGS = """
mmea: mmea|apmm|maritim malaysia|maritime malaysia|malaysian maritime enforcement agency|agensi penguatkuasaan maritim
  |co quan thuc thi hang hai malaysia|luc luong thuc thi hang hai malaysia|agence malaisienne de surveillance maritime
coast-guard: coast guard|coast guards|coastguard|canh sat bien|pengawal pantai|penjaga pantai|garde-cote|garde cote
  |gardes-cotes|garde cotes|bakamla
navy: navy|navies|hai quan|tentera laut|angkatan laut|marine nationale
hotline: hotline|hotlines|duong day nong|talian panas|ligne directe|ligne d urgence
fishing-boat: fishing boat|fishing boats|fishing vessel|fishing vessels|tau ca|bot nelayan|kapal nelayan|perahu nelayan
  |bateau de peche|bateaux de peche|navire de peche|navires de peche
fishermen: fishermen|fisherman|ngu dan|nelayan|pecheurs|pecheur
crew: crew|crew members|thuyen vien|kru|anak kapal|awak kapal|equipage|membres d equipage
detention: detain|detains|detained|detention|seized|bat giu|tam giu|menahan|ditahan|tahan|dirampas|arraisonne
  |arraisonnes|arrete|arretes|detenus
encroachment: encroach|encroaching|encroachment|encroached|menceroboh|pencerobohan|xam pham|empietement
search-rescue: search and rescue|tim kiem cuu nan|mencari dan menyelamat|carilamat|pencarian dan penyelamatan
  |recherche et sauvetage
incident-at-sea: incidents at sea|incident at sea|su co tren bien|insiden di laut|incidents en mer|incident en mer
nautical-miles: nautical miles|nautical mile|hai ly|batu nautika|mil laut|milles nautiques|mille nautique
repatriation: repatriate|repatriated|repatriation|hoi huong|trao tra|dihantar pulang|dipulangkan|rapatrie|rapatries
  |rapatriement
mou: mou|memorandum of understanding|ban ghi nho|memorandum persefahaman|nota kesepahaman|protocole d accord
  |memorandum d entente
working-visit: working visit|chuyen tham lam viec|lawatan kerja|kunjungan kerja|visite de travail
official-visit: official visit|tham chinh thuc|lawatan rasmi|kunjungan resmi|visite officielle
joint-exercise: joint exercise|joint exercises|joint drill|tap tran chung|latihan bersama|latihan gabungan
  |exercice conjoint|exercices conjoints
intelligence-sharing: intelligence sharing|chia se thong tin tinh bao|perkongsian perisikan|berbagi intelijen
  |partage de renseignements
defence-industry: defence industry|defense industry|cong nghiep quoc phong|industri pertahanan|industrie de defense
defence-technology: defence technology|defense technology|cong nghe quoc phong|teknologi pertahanan
  |technologie de defense
maritime-security: maritime security|an ninh hang hai|keselamatan maritim|keamanan maritim|securite maritime
regional-stability: regional stability|on dinh khu vuc|kestabilan serantau|stabilitas kawasan|stabilite regionale
policy-dialogue: policy dialogue|dialogue chinh sach|dialog dasar|dialog kebijakan|dialogue politique
strategic-dialogue: strategic dialogue|doi thoai chien luoc|dialog strategik|dialog strategis|dialogue strategique
iuu-fishing: iuu|khai thac hai san bat hop phap|penangkapan ikan haram|peche illicite
"""
_CONCEPTS_BY_FIRST_WORD: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _line in re.sub(r"\n\s+\|", "|", _CONCEPT_SPELLINGS).strip().splitlines():
    _concept, _, _spellings = _line.partition(":")
    for _spelling in _spellings.split("|"):
        _phrase = tuple(_WORD_RE.findall(_spelling.strip()))
        _CONCEPTS_BY_FIRST_WORD.setdefault(_phrase[0], []).append((_phrase, _concept.strip()))
for _choices in _CONCEPTS_BY_FIRST_WORD.values():
    _choices.sort(key=lambda item: -len(item[0]))  # the longest spelling first
# Words that put what a text reports on a day relative to its publication.
_RELATIVE_DAYS = {
    ("today",): 0,
    ("hom", "nay"): 0,
    ("hari", "ini"): 0,
    ("aujourd", "hui"): 0,
    ("yesterday",): 1,
    ("hom", "qua"): 1,
    ("semalam",): 1,
    ("kemarin",): 1,
    ("hier",): 1,
}
_RELATIVE_FIRST = {phrase[0] for phrase in _RELATIVE_DAYS}
# Asia's outlets date by their own clock (UTC+7, UTC+8): "today" may be the UTC day or the next.
_LOCAL_OFFSETS = (timedelta(0), timedelta(hours=8))


def concepts(folded_words: list[str] | tuple[str, ...]) -> frozenset[str]:
    """The concepts of ``_CONCEPT_SPELLINGS`` a text names (its words folded as ``words``)."""
    found: set[str] = set()
    table = _CONCEPTS_BY_FIRST_WORD
    for i, word in enumerate(folded_words):
        choices = table.get(word)
        if choices is None:
            continue
        for phrase, concept in choices:
            if len(phrase) == 1 or tuple(folded_words[i : i + len(phrase)]) == phrase:
                found.add(concept)
                break
    return frozenset(found)


def _relative_days(folded_words: list[str]) -> frozenset[int]:
    found: set[int] = set()
    for i, word in enumerate(folded_words):
        if word in _RELATIVE_FIRST:
            for phrase, days in _RELATIVE_DAYS.items():
                if tuple(folded_words[i : i + len(phrase)]) == phrase:
                    found.add(days)
    return frozenset(found)


def _days_around(signals: Signals, when: float | None) -> set[date]:
    """The calendar days a text names, placed in the year nearest its publication time ``when``
    (epoch seconds), with its relative days (today, yesterday) resolved."""
    if when is None:
        return set()
    published = datetime.fromtimestamp(when, UTC)
    found: set[date] = set()
    for day, month in signals.dates:
        best: date | None = None
        for year in (published.year - 1, published.year, published.year + 1):
            try:
                candidate = date(year, month, day)
            except ValueError:
                continue  # 29 February of another year
            if best is None or abs(candidate - published.date()) < abs(best - published.date()):
                best = candidate
        if best is not None:
            found.add(best)
    for back in signals.relative:
        found |= {(published + offset).date() - timedelta(days=back) for offset in _LOCAL_OFFSETS}
    return found


def same_day(a: Signals, b: Signals, when_a: float | None = None, when_b: float | None = None) -> bool:
    """Whether two texts put their event on one day: a date or a weekday in common, or (with
    the publication times) a date of one that falls on a weekday the other names ("on Sunday"
    / "ngày 29/11"), or that is the day the other says "today" or "yesterday" for.

    Supporting evidence only: a weekday or a relative day that does not match is no veto (the
    two texts may name different moments; ``days_disagree`` is the veto)."""
    if a.dates & b.dates or a.weekdays & b.weekdays:
        return True
    days_a, days_b = _days_around(a, when_a), _days_around(b, when_b)
    if days_a & days_b:
        return True
    return bool({d.isoweekday() for d in days_a} & b.weekdays or {d.isoweekday() for d in days_b} & a.weekdays)


def _weekdays(plain: str) -> frozenset[int]:
    """Weekdays named in a folded text (a word lookup: faster than one regex of all names)."""
    found = {_WEEKDAYS[w] for w in _WORD_RE.findall(plain) if w in _WEEKDAYS}
    if "chu nhat" in plain:
        found.add(7)
    if "星期" in plain:
        found |= {_CJK_WEEKDAYS[m] for m in _CJK_WEEKDAY_RE.findall(plain)}
    return frozenset(found)


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
    """Numbers of two or more digits that are not years (those belong to dates), amounts with
    their currency written on (``RM100,000``, ``US$2``) included, references to sections of a
    law (``Section 15(1)(a)``) left out: every report of its kind cites the same ones."""
    found: set[str] = set()
    for match in itertools.chain(_NUMBER_RE.finditer(text), _CURRENCY_NUMBER_RE.finditer(text)):
        whole = re.sub(r"[.,]", "", match.group(1))
        if len(whole) < 2 or (len(whole) == 4 and 1900 <= int(whole) <= 2100 and not match.group(2)):
            continue
        if _LEGAL_BEFORE_RE.search(text, max(match.start() - 16, 0), match.start()):
            continue
        found.add(whole.lstrip("0") or "0")
    return frozenset(found)


def _dates(plain: str) -> frozenset[tuple[int, int]]:
    """Dates in a folded text (``_fold``)."""
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


# Foreign partners: the countries a text is about, counted, so that two reports of talks with
# different countries never join however much else (a minister, an outlet, a date) they share.
# Vietnam and Malaysia are the home countries of every monitored outlet and are not counted.
# Matched without diacritics but with case kept (capitals tell "Ấn Độ" from "ăn đó"), in
# English, Vietnamese (both spellings of transliterations), Malay/Indonesian and French.
# Chinese script is not read: a text that names no country is never kept apart by this.
_COUNTRY_NAMES: dict[str, str] = {
    "au": "Australia|Australian|Australians|Australie|O-xtray-li-a|Oxtraylia|Canberra",
    "in": "India|Inde|An Do|New Delhi",
    "cn": "China|Cina|Chine|Trung Quoc|Beijing|Bac Kinh",
    "jp": "Japan|Japanese|Jepun|Japon|Nhat Ban|Tokyo",
    "kr": "South Korea|Korea Selatan|Coree du Sud|Han Quoc|Seoul|Republic of Korea",
    "kp": "North Korea|Korea Utara|Coree du Nord|Trieu Tien|Pyongyang|Binh Nhuong",
    "us": "United States|U.S.|US|USA|Amerika Syarikat|Amerika Serikat|Etats-Unis|Hoa Ky|Washington",
    "ru": "Russia|Russian|Rusia|Russie|Moscow|Matxcova|Mat-xco-va|Moskva",
    "fr": "France|Perancis|Prancis",
    "gb": "United Kingdom|Britain|British|UK|Royaume-Uni|Vuong quoc Anh|nuoc Anh|Nuoc Anh|Anh quoc|London|Luan Don",
    "de": "Germany|Jerman|Allemagne|Berlin|nuoc Duc|Nuoc Duc|CHLB Duc",
    "la": "Laos|Laotian|Lao PDR|Vientiane|Vieng Chan",
    "kh": "Cambodia|Cambodian|Cambodge|Kemboja|Kamboja|Campuchia|Cam-pu-chia|Phnom Penh|Phnompenh",
    "th": "Thailand|Thailande|Thai Lan|Bangkok",
    "id": "Indonesia|Indonesian|Indonesie|In-do-ne-xi-a|Indonexia|Jakarta|Gia-cac-ta",
    "ph": "Philippines|Philippine|Filipina|Filipino|Phi-lip-pin|Philippin|Manila|Ma-ni-la",
    "sg": "Singapore|Singapura|Singapour|Xinh-ga-po|Xingapo",
    "bn": "Brunei|Bru-nay|Brunay|Bandar Seri Begawan",
    "mm": "Myanmar|Burma|Mi-an-ma|Mianma|Naypyidaw|Nay Pyi Taw",
    "nz": "New Zealand|Niu Di-lan|Nouvelle-Zelande|Wellington",
    "ca": "Canada|Ca-na-da|Ottawa",
}
_COUNTRY_CODES = {name: code for code, names in _COUNTRY_NAMES.items() for name in names.split("|")}
# Names by their first word: a dict lookup per capitalised word is several times faster than
# one regex of every name tried at every position (this runs on every stored article).
_COUNTRIES_BY_FIRST_WORD: dict[str, list[str]] = {}
for _name in sorted(_COUNTRY_CODES, key=len, reverse=True):
    _COUNTRIES_BY_FIRST_WORD.setdefault(re.split(r"[ .-]", _name)[0], []).append(_name)
# Words, hyphens included ("Vietnam-India" names India, "O-xtray-li-a" starts with "O").
_CAPITALISED_RE = re.compile(r"(?<!\w)[A-Zn]\w*")
_NAME_END_RE = re.compile(r"\w")
# Names that contain a country but are not it.
_NOT_COUNTRIES_RE = re.compile(
    r"South China Sea|East China Sea|Laut China Selatan|Laut Cina Selatan|mer de Chine|Indian Ocean"
    r"|An Do Duong|US\$|U\.?S\.? dollars?|Washington Post|Indo-Pacific"
)
# Vietnamese one-syllable names, read with their diacritics (without, "My" is English) and only
# outside a proper name: not right after a capitalised word ("Thị Nga"; "Nam Mỹ" is South
# America) nor before one ("Mỹ Đình", "Lào Cai", "Nga Sơn" are places), nor after an honorific
# ("chị Nga" is a person) or "đô la" ("đô la Mỹ" is a currency). "Anh" (a name, and "tiếng
# Anh", English) and "Đức" (a common name) count only in the phrases above; English "Lao" is
# left out (Vietnamese "Lao động").
_SHORT_COUNTRIES = {"Úc": "au", "Nga": "ru", "Pháp": "fr", "Lào": "la", "Mỹ": "us", "Nhật": "jp"}
_SHORT_RE = re.compile(r"(?<![\w-])(" + "|".join(_SHORT_COUNTRIES) + r")(?![\w-])")
_NOT_AFTER = frozenset(["chi", "ba", "co", "em", "ong", "anh", "chau", "be", "bac", "cu", "thay", "ban", "la"])
_PREVIOUS_WORD_RE = re.compile(r"(\S+)\s+$")
_NEXT_WORD_RE = re.compile(r"\s+(\S)")
MIN_PARTNER_MENTIONS = 2  # a country named once is background; a title mention counts twice


def partners(title: str, text: str) -> dict[str, int]:
    """Foreign countries named in a text, by code, with their mentions (a title mention counts
    twice: the headline names what the report is about)."""
    found: dict[str, int] = {}
    for part, weight in ((title, 2), (text, 1)):
        for code in _country_names(_NOT_COUNTRIES_RE.sub(" ", _strip(part))):
            found[code] = found.get(code, 0) + weight
        composed = unicodedata.normalize("NFC", part)
        if not any(name in composed for name in _SHORT_COUNTRIES):
            continue
        for match in _SHORT_RE.finditer(composed):
            if _outside_a_name(composed, match.start(), match.end()):
                code = _SHORT_COUNTRIES[match.group(1)]
                found[code] = found.get(code, 0) + weight
    return found


def _country_names(text: str) -> list[str]:
    """The codes of the names of ``_COUNTRY_NAMES`` in a text, one per mention."""
    codes: list[str] = []
    end = 0
    for match in _CAPITALISED_RE.finditer(text):
        start = match.start()
        if start < end:
            continue  # inside the name just counted ("South Korea": not "Korea" again)
        for name in _COUNTRIES_BY_FIRST_WORD.get(match.group(), ()):
            stop = start + len(name)
            if text.startswith(name, start) and not _NAME_END_RE.match(text, stop):
                codes.append(_COUNTRY_CODES[name])
                end = stop
                break
    return codes


def _outside_a_name(text: str, start: int, end: int) -> bool:
    before = _PREVIOUS_WORD_RE.search(text, max(start - 40, 0), start)
    if before is not None:
        word = before.group(1)
        if _fold(word) in _NOT_AFTER or (word[0].isupper() and word[-1] not in '.,;:!?-–—"“'):
            return False
    after = _NEXT_WORD_RE.match(text, end)
    return after is None or not after.group(1).isupper()


def main_partners(countries: dict[str, int]) -> set[str]:
    """The most-named foreign countries of a text, if named at least ``MIN_PARTNER_MENTIONS``
    times (ties are all kept)."""
    most = max(countries.values(), default=0)
    if most < MIN_PARTNER_MENTIONS:
        return set()
    return {code for code, n in countries.items() if n == most}


def partners_conflict(a: Signals, b: Signals) -> bool:
    """Whether two texts are about different foreign partners: each has a main partner that
    the other never names (talks with India, talks with Australia). Countries named in passing,
    or a main partner the other side also names, are no conflict."""
    mine, theirs = main_partners(a.countries), main_partners(b.countries)
    return bool(mine and theirs and not mine & b.countries.keys() and not theirs & a.countries.keys())


def overlap(a: Iterable[str], b: Iterable[str]) -> set[str]:
    return set(a) & set(b)
