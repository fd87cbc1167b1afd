"""Is a reported symptom over, or long ago? Time words around it, and in the whole story.

The past tense alone does not make a symptom old: patients tell what is still going
on as a story ("last night I couldn't feel the toilet paper"). A symptom counts as
past only when its clause says so ("years ago", "in 2015", "it went away") or when
the message frames the whole story as over (an operation long ago, "I recovered")
and the symptom's clause is itself in the past tense.
"""

from __future__ import annotations

from spacy.tokens import Doc

from components.nlu.red_flags.clauses import Structure
from components.nlu.red_flags.patterns import Span, find_phrase
from components.nlu.red_flags.vocabulary import (
    CONTRAST,
    DISTANT_PAST,
    LONGSTANDING,
    RECENT,
    RESOLVED,
    RESOLVED_PRONOUNS,
    RESOLVED_WINDOW,
)


def is_past_or_resolved(doc: Doc, span: Span, structure: Structure) -> bool:
    """Long ago ('last year', 'as a child') or over ('it went away', 'came back clear')."""
    words = [t.lower_ for t in doc]
    clause_start, clause_end = structure.clause_range(span.start)
    if any(find_phrase(words, p, clause_start, clause_end) >= 0 for p in DISTANT_PAST):
        return True
    if _is_longstanding(words, (clause_start, clause_end), structure.sentence_range(span.start)):
        return True
    if _past_year(doc, clause_start, clause_end):
        return True
    if find_phrase(words, ("ruled", "out"), clause_start, clause_end) >= 0:
        return True
    window_end = min(clause_end, span.end + RESOLVED_WINDOW)
    if any(find_phrase(words, p, span.end, window_end) >= 0 for p in RESOLVED):
        return True
    return _next_clause_resolves(words, span, structure)


def _is_longstanding(words: list[str], clause: tuple[int, int], sentence: tuple[int, int]) -> bool:
    """'I've been incontinent for years' is not new; 'for years and it's getting worse' is."""
    if not any(find_phrase(words, p, *clause) >= 0 for p in LONGSTANDING):
        return False
    return not RECENT.intersection(words[sentence[0] : sentence[1]])


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


def _past_year(doc: Doc, start: int, end: int) -> bool:
    for i in range(start + 1, end):
        text = doc[i].text
        if (
            doc[i - 1].lower_ == "in"
            and len(text) == 4
            and text.isdigit()
            and text[:2] in {"19", "20"}
        ):
            return True
    return False
