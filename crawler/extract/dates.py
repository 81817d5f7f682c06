"""Publication dates: timezone-aware and never in the future.

Sources in order (see ``published_at``): the page's date metadata (``article:published_time``,
JSON-LD ``datePublished``, ... then the outlet's ``date`` hint) and htmldate on structured
markup only; then the page's visible date with its time, read day-first; then htmldate's
extensive guess over the text (bounded by today in the outlet's zone); then a wire dateline's
day ("KUALA LUMPUR, Sept 29 (Bernama) --", read with ``month_day``). A date later than ``now``
is discarded and the next source is tried; up to ``FUTURE_TOLERANCE`` ahead is taken as clock
skew and becomes ``now``; when no source is left the date is None.

``parse_date`` reads ISO 8601 and the region's day-first local forms ("Thứ Hai, 29/09/2025 -
14:30", "29/09/2025 10:57 AM", "13 Ogos 2024, 10:15 PTG", "May 13, 2024 - 14:21"); month names in
English, Malay and French come from ``language.dates``. A date without a zone is read in the
outlet's ``timezone`` (UTC without an outlet).

Config keys read (passed in): ``OutletConfig.timezone`` and ``selectors`` (``date``).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from htmldate import find_date
from lxml.etree import XPath
from lxml.html import HtmlElement

from crawler.extract.page import first_text
from language.dates import month_number

log = logging.getLogger(__name__)

# A page date this far ahead of ``now`` is clock skew between the outlet and us: it becomes now.
FUTURE_TOLERANCE = timedelta(minutes=10)


def outlet_zone(name: str) -> tzinfo:
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def month_day(text: str) -> tuple[int, int] | None:
    words = re.findall(r"[A-Za-z]+|\d+", text)
    if len(words) != 2:
        return None
    if words[0].isdigit() and words[1].isdigit():
        day, month = int(words[0]), int(words[1])  # day-first, as the region writes it
    else:
        name, number = (words[0], words[1]) if words[1].isdigit() else (words[1], words[0])
        named_month = month_number(name)
        if named_month is None or not number.isdigit():
            return None
        month, day = named_month, int(number)
    return (month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None


_DATE_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "article.published",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "date",
)


def candidates(tree: HtmlElement, hints: Any, meta: dict[str, str], ld: dict[str, Any], zone: tzinfo) -> list[datetime]:
    texts = [meta[key] for key in _DATE_META_KEYS if key in meta]
    if isinstance(ld.get("datePublished"), str):
        texts.append(ld["datePublished"])
    hinted = first_text(tree, hints.get("date", ""))
    if hinted:
        texts.append(hinted)
    found = []
    for text in texts:
        value = parse_date(text, zone)
        if value is not None:
            found.append(value)
    return found


def published_at(
    candidates: list[datetime],
    tree: HtmlElement,
    url: str | None,
    zone: tzinfo,
    now: datetime,
    dateline: tuple[int, int] | None,
    visible: list[datetime],
) -> tuple[datetime | None, str | None]:
    """The first source that gives a date not in the future, most trusted first, and its name:

    1. ``metadata``: what the page declares for machines (meta tags, JSON-LD, the outlet's
       ``date`` hint); ``markup``: htmldate on structured markup only (``<time datetime>``,
       itemprop, the URL);
    2. ``visible date``: the page's visible date *with its time* (``visible_dates``), read
       day-first as the region writes it ("06/12/2026 03:49 AM" is 6 December);
    3. ``text guess``: htmldate's extensive search over the whole text;
    4. ``dateline``: the wire dateline's day.

    htmldate's extensive search comes late because it misreads day-first stamps: it refuses a
    date later than the machine's own day (a Kuala Lumpur page dated after midnight while UTC
    is still on the day before) and falls back to the stamp's "12/2026", the 1st of the month.
    """
    for value in candidates:
        if (chosen := _not_future(value, now)) is not None:
            return chosen, "metadata"
    if (found := _htmldate(tree, url, zone, now, visible, extensive=False)) is not None:
        return found, "markup"
    for value in visible:
        if (chosen := _not_future(value, now)) is not None:
            return chosen, "visible date"
    if (found := _htmldate(tree, url, zone, now, visible, extensive=True)) is not None:
        return found, "text guess"
    if dateline is not None:
        local_now = now.astimezone(zone)
        for year in (local_now.year, local_now.year - 1):
            try:
                value = datetime(year, dateline[0], dateline[1], tzinfo=zone)
            except ValueError:
                continue
            if value <= now:
                return value, "dateline"
    return None, None


def _htmldate(
    tree: HtmlElement, url: str | None, zone: tzinfo, now: datetime, visible: list[datetime], *, extensive: bool
) -> datetime | None:
    # The latest date htmldate may accept is today in the outlet's zone, not the machine's.
    latest = now.astimezone(zone).strftime("%Y-%m-%d")
    try:
        found = find_date(
            tree,
            url=url,
            outputformat="%Y-%m-%dT%H:%M:%S",
            original_date=True,
            extensive_search=extensive,
            max_date=latest,
        )
    except Exception:  # htmldate on odd markup is not worth losing the article over
        log.debug("htmldate failed on %s", url, exc_info=True)
        return None
    day = parse_date(found, zone) if found else None
    if day is None:
        return None
    if found and found.endswith("T00:00:00"):
        # htmldate often gives the day alone: its time from a visible stamp of the same day
        day = next((v for v in visible if v.date() == day.date()), day)
    return _not_future(day, now)


_VISIBLE_TEXT = XPath("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript)]")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_VISIBLE_MAX = 160  # longer text is prose, whose dates are about events, not the article


def visible_dates(tree: HtmlElement, zone: tzinfo) -> list[datetime]:
    """Dates with a time of day written on the page ("Thứ Sáu, 06/12/2026 | 10:15",
    "06/12/2026 03:49 AM", "December 6, 2026 - 14:21"), in document order."""
    found = []
    for node in _VISIBLE_TEXT(tree):
        text = str(node)
        if len(text) > _VISIBLE_MAX or not _YEAR.search(text):
            continue
        value = parse_date(text, zone)
        if value is not None and _TIME.search(text):
            found.append(value)
    return found


def _not_future(value: datetime, now: datetime) -> datetime | None:
    if value <= now:
        return value
    if value - now <= FUTURE_TOLERANCE:
        return now.astimezone(value.tzinfo)
    return None


_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?", re.I
)
_DMY = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
_MONTH_NAME = re.compile(
    r"(?:(?P<d1>\d{1,2})\s+(?P<m1>[A-Za-z]{3,9})\.?,?\s+(?P<y1>\d{4}))"
    r"|(?:(?P<m2>[A-Za-z]{3,9})\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{4}))"
)
_TIME = re.compile(
    r"(?<!\d)(\d{1,2})[:h](\d{2})(?::(\d{2}))?(?!\d)(?:\s*(AM|PM|SA|CH|PTG|PG|MLM|a\.m\.|p\.m\.)(?![a-z]))?",
    re.I,
)
_OFFSET = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.I)


def parse_date(text: str, zone: tzinfo = UTC) -> datetime | None:
    """A timezone-aware datetime from ISO 8601 or a day-first local date ("Thứ Hai, 29/09/2025 - 14:30",
    "29/09/2025 10:57 AM", "May 13, 2024 - 14:21"); a date without a zone is read in ``zone``."""
    text = text.strip()
    if not text:
        return None
    iso = _ISO.search(text)
    if iso is not None:
        year, month, day = int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
        hour, minute, second = (int(iso.group(i) or 0) for i in (4, 5, 6))
        offset = iso.group(7)
        try:
            value = datetime(year, month, day, hour, minute, second)
        except ValueError:
            return None
        if offset:
            offset = "+00:00" if offset.upper() == "Z" else offset
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            return value.replace(tzinfo=timezone(sign * delta))
        return value.replace(tzinfo=zone)
    if text.isdigit() and len(text) == 10:  # unix timestamp (vnexpress its_publication)
        return datetime.fromtimestamp(int(text), UTC)
    dmy = _DMY.search(text)
    named = _MONTH_NAME.search(text) if dmy is None else None
    if dmy is not None:
        day, month, year = int(dmy.group(1)), int(dmy.group(2)), int(dmy.group(3))
        rest = text[: dmy.start()] + " " + text[dmy.end() :]
    elif named is not None:
        named_month = month_number(named.group("m1") or named.group("m2"))
        if named_month is None:
            return None
        month = named_month
        day = int(named.group("d1") or named.group("d2"))
        year = int(named.group("y1") or named.group("y2"))
        rest = text[: named.start()] + " " + text[named.end() :]
    else:
        return None
    hour = minute = second = 0
    clock = _TIME.search(rest)
    if clock is not None:
        hour, minute, second = int(clock.group(1)), int(clock.group(2)), int(clock.group(3) or 0)
        meridiem = (clock.group(4) or "").lower().replace(".", "")
        # English, Vietnamese (SA sáng, CH chiều) and Malay (PG pagi, PTG petang, MLM malam).
        if meridiem in ("pm", "ch", "ptg", "mlm") and hour < 12:
            hour += 12
        elif meridiem in ("am", "sa", "pg") and hour == 12:
            hour = 0
    try:
        value = datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    offset_match = _OFFSET.search(rest)
    if offset_match is not None:
        sign = -1 if offset_match.group(1) == "-" else 1
        delta = timedelta(hours=int(offset_match.group(2)), minutes=int(offset_match.group(3) or 0))
        return value.replace(tzinfo=timezone(sign * delta))
    return value.replace(tzinfo=zone)
