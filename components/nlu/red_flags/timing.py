"""Is a reported symptom over, or long ago? Time words around it, and in the whole story.

The past tense alone does not make a symptom old: patients tell what is still going
on as a story ("last night I couldn't feel the toilet paper"). A symptom counts as
past only when its clause says so ("years ago", "in 2015", "it went away") or when
the message frames the whole story as over (an operation long ago, "I recovered")
and the symptom's clause is itself in the past tense.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from spacy.tokens import Doc

from components.nlu.red_flags.clauses import Structure
from components.nlu.red_flags.patterns import Span, find_phrase
from components.nlu.red_flags.vocabulary import (
    BECOMING,
    CONTRAST,
    DISTANT_PAST,
    LONGSTANDING,
    MEMORY,
    MODAL_OR_TO,
    ONGOING,
    PAST_MARKERS,
    PRESENT_MARKERS,
    RECENT,
    RECENT_SPANS,
    RESIDUAL,
    RESOLVED,
    RESOLVED_PRONOUNS,
    RESOLVED_WINDOW,
    STORY_NOW,
    STORY_NOW_PHRASES,
    STORY_OVER,
    TRANSIENT_UNITS,
)

# "after my surgery last year": the date of an earlier event, not of the symptom
EVENT_ANCHORS = {"after", "since", "following"}
# a date written in numbers: 31/12/04, 12-31-2004, 2.15.05 (the year is the last part)
NUMERIC_DATE = re.compile(r"(?<![\d/.-])\d{1,2}[/.-]\d{1,2}[/.-](\d{2}|\d{4})(?![\d/-]|\.\d)")


def is_past_or_resolved(doc: Doc, span: Span, structure: Structure, story_over: bool) -> bool:
    """Long ago ('last year', 'in 2015'), over ('it went away'), or a past-tense part of a
    story the message says is over (`story_over`, see `story_is_over`)."""
    words = [t.lower_ for t in doc]
    clause_start, clause_end = structure.clause_range(span.start)
    sentence = structure.sentence_range(span.start)
    if _is_dated_long_ago(doc, words, span, (clause_start, clause_end), sentence):
        return True
    window_end = min(clause_end, span.end + RESOLVED_WINDOW)
    resolved_from = span.inner_end if span.inner_end is not None else span.end
    if _says_resolved(words, resolved_from, window_end, sentence[1]):
        return True
    if _next_clause_resolves(words, span, structure):
        return True
    now = _says_now(words, *sentence)
    if not now and any(find_phrase(words, p, clause_start, clause_end) >= 0 for p in MEMORY):
        return True
    past_clause = _is_past_tense(doc, clause_start, clause_end)
    if (
        past_clause
        and _is_transient(words, clause_start, clause_end)
        and not _comes_back(words, clause_start, sentence[1])
    ):
        return True
    return story_over and not now and past_clause


def _is_dated_long_ago(
    doc: Doc, words: list[str], span: Span, clause: tuple[int, int], sentence: tuple[int, int]
) -> bool:
    """The symptom's clause (or the age that opens its sentence) places it long ago, or
    says it has lasted for years."""
    recent = bool(RECENT.intersection(words[sentence[0] : sentence[1]]))
    present = any(_is_present_marker(doc, i) for i in range(*sentence))
    if any(_dates_symptom(words, p, *clause, present) for p in DISTANT_PAST):
        return True
    if _at_an_age(doc, *clause):
        return True
    # "When I was 19, I slipped on a wet road": the age opens the sentence
    if not recent and _at_an_age(doc, sentence[0], span.start):
        return True
    if _is_longstanding(words, clause, sentence) and not span.rule.longstanding_is_current:
        return True
    if _past_year(doc, *clause) and not recent:
        return True
    return find_phrase(words, ("ruled", "out"), *clause) >= 0


def _dates_symptom(
    words: list[str], phrase: tuple[str, ...], start: int, end: int, present: bool
) -> bool:
    """`_dates_then`, except that in a sentence about now ("I'm presenting with
    incontinence after surgery last year") a date after "after" or "since" belongs to
    the earlier event."""
    for at in _occurrences(words, phrase, start, end):
        anchored = EVENT_ANCHORS.intersection(words[max(start, at - 5) : at])
        if not (present and anchored) and _dates_then(words, phrase, at, at + len(phrase)):
            return True
    return False


def _dates_then(words: list[str], phrase: tuple[str, ...], start: int, end: int) -> bool:
    """`phrase` of DISTANT_PAST in words[start:end]; "over the last month" is the time up
    to now, not "last month"."""
    return _found_unless_after(words, phrase, start, end, "last", {"the", "this"})


def _says_over(words: list[str], phrase: tuple[str, ...], start: int, end: int) -> bool:
    """`phrase` of STORY_OVER in words[start:end]; "three weeks since my surgery" is a
    recent operation, not a story that is over."""
    return _found_unless_after(words, phrase, start, end, "since", RECENT_SPANS)


def _found_unless_after(
    words: list[str],
    phrase: tuple[str, ...],
    start: int,
    end: int,
    first: str,
    previous: set[str],
) -> bool:
    """`phrase` in words[start:end], except where it starts with `first` right after one
    of `previous`."""
    return any(
        not (phrase[0] == first and at > 0 and words[at - 1] in previous)
        for at in _occurrences(words, phrase, start, end)
    )


def _occurrences(words: list[str], phrase: tuple[str, ...], start: int, end: int) -> Iterator[int]:
    """Every index in words[start:end] where `phrase` starts."""
    at = find_phrase(words, phrase, start, end)
    while at >= 0:
        yield at
        at = find_phrase(words, phrase, at + 1, end)


def _says_resolved(words: list[str], start: int, end: int, sentence_end: int) -> bool:
    """A RESOLVED phrase in words[start:end]; "has gone numb" is not "has gone", and
    "it stopped, and has been on and off since" is not over."""
    for phrase in RESOLVED:
        for at in _occurrences(words, phrase, start, end):
            after = at + len(phrase)
            if phrase[-1] == "gone" and after < len(words) and words[after] in BECOMING:
                continue
            if not _comes_back(words, after, sentence_end):
                return True
    return False


def _comes_back(words: list[str], start: int, end: int) -> bool:
    """'on and off since then', 'keeps coming back': not over."""
    return any(find_phrase(words, p, start, end) >= 0 for p in ONGOING)


def is_residual(doc: Doc, span: Span, structure: Structure, story_over: bool) -> bool:
    """A lasting problem left by an old event ("since then my legs can give way at any
    moment", "I still can't feel..."): worth one urgent-care line, not the emergency reply."""
    if not story_over:
        return False
    words = [t.lower_ for t in doc]
    start, end = structure.sentence_range(span.start)
    return any(find_phrase(words, p, start, end) >= 0 for p in RESIDUAL)


def _says_now(words: list[str], start: int, end: int) -> bool:
    """A word of STORY_NOW or a phrase of STORY_NOW_PHRASES ("two weeks ago") in the
    sentence; "years ago now" does not bring it to now."""
    if any(find_phrase(words, p, start, end) >= 0 for p in STORY_NOW_PHRASES):
        return True
    return any(
        words[i] in STORY_NOW and not (words[i] == "now" and i > 0 and words[i - 1] == "ago")
        for i in range(start, end)
    )


def _is_transient(words: list[str], start: int, end: int) -> bool:
    """'for about 2 minutes', 'for a few seconds'."""
    for i in range(start, end):
        if words[i] in TRANSIENT_UNITS and "for" in words[max(start, i - 4) : i]:
            return True
    return False


def story_is_over(doc: Doc) -> bool:
    """The message places its story long ago or says it is over ('in 2014', 'years ago',
    'I recovered'): then its past-tense sentences describe then, not now."""
    words = [t.lower_ for t in doc]
    if any(_dates_then(words, p, 0, len(doc)) for p in DISTANT_PAST):
        return True
    if any(_says_over(words, p, 0, len(doc)) for p in STORY_OVER):
        return True
    return _past_year(doc, 0, len(doc))


def _is_past_tense(doc: Doc, start: int, end: int) -> bool:
    """A past verb and no present one ('I couldn't pee' but not 'I still can't pee')."""
    tokens = [doc[i] for i in range(start, end)]
    if any(_is_present_marker(doc, t.i) for t in tokens):
        return False
    return any(
        t.lower_ in PAST_MARKERS or (t.lower_.endswith("ed") and t.lemma_ != t.lower_)
        for t in tokens
    )


def _is_longstanding(words: list[str], clause: tuple[int, int], sentence: tuple[int, int]) -> bool:
    """'I've been incontinent for years' is not new; 'for years and it's getting worse' is."""
    if not (
        any(find_phrase(words, p, *clause) >= 0 for p in LONGSTANDING) or _for_years(words, *clause)
    ):
        return False
    return not (RECENT - {"now", "days", "hours", "week", "just"}).intersection(
        words[sentence[0] : sentence[1]]
    )


def _for_years(words: list[str], start: int, end: int) -> bool:
    """'for over two years', 'for the last 3 months', 'for the past one year' (not
    'for 2 days')."""
    for i in range(start, end):
        if (
            words[i] in {"years", "year", "months", "decades"}
            and "for" in words[max(start, i - 4) : i]
        ):
            return True
    return False


def _next_clause_resolves(words: list[str], span: Span, structure: Structure) -> bool:
    """'I had numbness but it's gone now'."""
    following = structure.next_clause_range(span.start)
    if following is None:
        return False
    start, end = following
    head = words[start : start + 2]
    if not (
        head
        and head[0] in CONTRAST | {"and", ",", "which"}
        and RESOLVED_PRONOUNS.intersection(head)
    ):
        return False
    window = (start, min(end, start + RESOLVED_WINDOW))
    return any(find_phrase(words, p, *window) >= 0 for p in RESOLVED + DISTANT_PAST)


def _at_an_age(doc: Doc, start: int, end: int) -> bool:
    """'when I was 12', 'at age 30', 'aged 19', 'at the age of 40', 'I was 51 when'."""
    words = [t.lower_ for t in doc]
    for i in range(start, end):
        if doc[i].like_num and i > 0:
            before = words[max(start, i - 4) : i]
            if before[-3:] == ["when", "i", "was"] or before[-2:] in (["at", "age"], ["age", "of"]):
                return True
            after = words[i + 1] if i + 1 < len(words) else ""
            if before[-1:] in (["was"], ["were"]) and after == "when":  # 'I was 51 when I fell'
                return True
            if before[-1:] == ["aged"]:
                return True
    return False


def _is_present_marker(doc: Doc, i: int) -> bool:
    """'I have', 'it is'; not the perfect of 'to have survived' or 'could have been'."""
    word = doc[i].lower_
    if word not in PRESENT_MARKERS:
        return False
    previous = doc[i - 1].lower_ if i > 0 else ""
    return not (word in {"have", "'ve", "ve"} and previous in MODAL_OR_TO)


def _past_year(doc: Doc, start: int, end: int) -> bool:
    """A year before this one ('in 2014', 'May 2022', 'about 2014', '12-31-04', '2/15/05')."""
    this_year = date.today().year
    for i in range(start, end):
        text = doc[i].text.strip("'’")
        if len(text) == 4 and text.isdigit() and 1950 <= int(text) < this_year:
            return True
    if start >= end:
        return False
    span_text = doc.text[doc[start].idx : doc[end - 1].idx + len(doc[end - 1])]
    return any(
        _full_year(found.group(1), this_year) < this_year
        for found in NUMERIC_DATE.finditer(span_text)
    )


def _full_year(digits: str, this_year: int) -> int:
    """'04' -> 2004, '98' -> 1998 (a two-digit year after this one is last century's)."""
    if len(digits) == 4:
        return int(digits)
    year = 2000 + int(digits)
    return year if year <= this_year else year - 100
