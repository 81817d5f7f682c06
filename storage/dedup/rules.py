"""The decisions of story assignment, as pure functions of two articles' texts and evidence:
is a candidate the same report (``near_duplicate``, ``rewrite``), the same event in another
language (``same_event``), or another event however alike (``veto``)? The thresholds are
here; ``storage.dedup.index`` finds the candidates and counts the outcomes.

Precision first: merging two different events suppresses an alert. The thresholds are the
README's "Deduplication and stories" rules.

Reads no configuration (the window, ``dedup.window``, is applied by the index).
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.dedup.evidence import (
    Signals,
    days_disagree,
    name_entities,
    number_conflicts,
    number_slots,
    partners_conflict,
    quantities,
    quantity_conflicts,
)
from storage.dedup.shingles import longest_shared_run, shingle_set

# Near duplicates: a copy with light edits.
MIN_CONTAINMENT = 0.5  # share of the shorter text's shingles found in the other
MIN_CONTAINMENT_WITH_FACTS = 0.3  # enough when a date and two names are shared too
NEAR_IDENTICAL = 0.9  # above this, differing figures are corrections, not a different event
MIN_SHINGLES = 15  # shorter texts are too small to judge by shingles
CROSS_LANGUAGE_WINDOW = 3 * 86400.0  # translations appear within days, not a week
MIN_SHARED_NAMES = 2
MIN_SHARED_NUMBERS_ALONE = 3  # when names do not survive (Chinese script), numbers must
# A rewrite of one report (an outlet's own lead and wording around reused wire sentences).
MIN_REUSED_RUN = 12  # words in a row found in the other text: at least one reused sentence
MIN_SHARED_ENTITIES = 3  # people or places named in both (name pairs sharing a word are one)
MIN_FIGURES_TO_COMPARE = 3  # with this many numbers on both sides, most must agree


@dataclass(frozen=True)
class Veto:
    """Why a candidate reports another event: the counter to increment and, for the log, the
    reason (None: not logged)."""

    counter: str
    reason: str | None = None


def near_duplicate(containment: float, mine: Signals, theirs: Signals) -> bool:
    """Whether a candidate sharing ``containment`` of the shorter text's shingles is a copy:
    at least ``MIN_CONTAINMENT``, or partial reuse (a few wire paragraphs in an outlet's own
    report) with the facts vouching for it: the same explicit date and the same people or places."""
    if containment >= MIN_CONTAINMENT:
        return True
    return bool(
        containment >= MIN_CONTAINMENT_WITH_FACTS
        and mine.dates & theirs.dates
        and len(mine.names & theirs.names) >= MIN_SHARED_NAMES
    )


def veto(text: str, other_text: str, mine: Signals, theirs: Signals, figures: bool = True) -> Veto | None:
    """Why two texts with much in common still report different events, if they do: a template
    reused for another day or about another country (always), or for another catch
    (``figures``: not for texts that are almost identical, where a changed figure is a correction)."""
    if days_disagree(mine, theirs):
        return Veto("dedup/date_conflict", "different dates or days")
    if partners_conflict(mine, theirs):
        return Veto("dedup/partner_conflict", "about another country")
    if not figures:
        return None
    differ, agree = number_conflicts(number_slots(text), number_slots(other_text))
    if differ and differ * 2 >= agree:
        return Veto("dedup/number_conflict", "same wording, different figures")
    differ, agree = quantity_conflicts(quantities(text), quantities(other_text))
    if differ > agree:
        return Veto("dedup/number_conflict", "different quantities of the same things")
    return None


def rewrite(text: str, other_text: str, mine: Signals, theirs: Signals) -> bool | Veto:
    """Whether ``other_text`` (same language, too little shared text for a near duplicate) is
    the same report rewritten: an outlet's own lead and wording around at least one reused
    wire sentence, the same people and places, and a figure, date or day in common; a ``Veto``
    when it is another event in the same words."""
    if name_entities(mine.names & theirs.names) < MIN_SHARED_ENTITIES:
        return False
    if not (mine.numbers & theirs.numbers or mine.dates & theirs.dates or mine.weekdays & theirs.weekdays):
        return False
    if longest_shared_run(text, shingle_set(other_text)) < MIN_REUSED_RUN:
        return False
    fewer = min(len(mine.numbers), len(theirs.numbers))
    if fewer >= MIN_FIGURES_TO_COMPARE and 2 * len(mine.numbers & theirs.numbers) < fewer:
        # Most figures differ (crew, distance, catch, value): another event in the same words.
        return Veto("dedup/number_conflict")
    return veto(text, other_text, mine, theirs) or True


def same_event(a: Signals, b: Signals) -> int:
    """How strongly two reports in different languages look like one event by their anchors
    alone (0 = not): an explicit common date plus two specific names and a number in common, or
    three numbers (scripts where names do not survive). The semantic route
    (``storage.dedup.semantic``) finds the rest; this one also works without the embedding
    model. The caller has checked the vetoes (``semantic.veto``)."""
    if not a.dates & b.dates:
        return 0
    names = len(a.names & b.names)
    numbers = len(a.numbers & b.numbers)
    strong = (names >= MIN_SHARED_NAMES and numbers >= 1) or numbers >= MIN_SHARED_NUMBERS_ALONE
    return names + numbers if strong else 0
