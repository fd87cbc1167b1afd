"""Sentence and clause structure of a message, and whether a clause is a question.

A blank spaCy pipeline has no parser, so sentences end at end punctuation or a line
break, and clauses at "but", commas and joiners that are followed by a new subject
("..., and my legs are numb"). Filters look only inside the clause of a symptom.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Doc

from components.nlu.red_flags.vocabulary import (
    AUXILIARIES,
    CLAUSE_JOINERS,
    CLAUSE_STARTERS,
    CONTRAST,
    DEMONSTRATIVES,
    FILLERS,
    GENERIC_SUBJECTS,
    INTERJECTIONS,
    KIN,
    NOT_A_SUBJECT,
    NOT_WORDS,
    PERSONAL,
    SENTENCE_END,
    SUBJECT_VERBS,
    WH_WORDS,
)


class Structure:
    """Sentence and clause index of every token of a doc."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.sentence: list[int] = []
        self.clause: list[int] = []
        sentence = clause = 0
        for i in range(len(doc)):
            if i > 0 and _ends_sentence(doc[i - 1]):
                sentence += 1
                clause += 1
            elif i > 0 and _starts_clause(doc, i):
                clause += 1
            self.sentence.append(sentence)
            self.clause.append(clause)

    def clause_range(self, i: int) -> tuple[int, int]:
        return _range_of(self.clause, i)

    def sentence_range(self, i: int) -> tuple[int, int]:
        return _range_of(self.sentence, i)

    def next_clause_range(self, i: int) -> tuple[int, int] | None:
        _, end = self.clause_range(i)
        if end >= len(self.doc) or self.sentence[end] != self.sentence[i]:
            return None
        return self.clause_range(end)


def _range_of(ids: list[int], i: int) -> tuple[int, int]:
    start = i
    while start > 0 and ids[start - 1] == ids[i]:
        start -= 1
    end = i
    while end < len(ids) and ids[end] == ids[i]:
        end += 1
    return start, end


def _ends_sentence(token: Any) -> bool:
    return token.text in SENTENCE_END or "\n" in token.text or token.text.startswith("?")


def _starts_clause(doc: Doc, i: int) -> bool:
    """'but ...', ', I can't', 'and my legs', ', is that normal?'; not 'no fever or had ...'."""
    word, previous = doc[i].lower_, doc[i - 1].lower_
    if word in CONTRAST or "\n" in doc[i - 1].whitespace_:
        return True
    if previous in {",", "-", "—", "–"} or (previous in INTERJECTIONS and i == 1):
        return word in CLAUSE_STARTERS
    if previous in CLAUSE_JOINERS:
        return word in CLAUSE_STARTERS - AUXILIARIES - WH_WORDS or _subject_then_verb(doc, i)
    return False


def _subject_then_verb(doc: Doc, i: int) -> bool:
    """'not fun and suicidal thinking is part of my day': a short noun phrase and its
    verb open a new clause (a list such as 'no numbness and tingling' has no verb)."""
    for j in range(i, min(i + 4, len(doc))):
        word = doc[j].lower_
        if j > i and word in SUBJECT_VERBS:
            return True
        if doc[j].is_punct or word in NOT_A_SUBJECT:
            return False
    return False


def _is_inverted_auxiliary(doc: Doc, i: int, end: int) -> bool:
    """'Is it...', 'Can stem cells...', 'Have you...' but not 'Had a fever', 'Can't pee'."""
    aux = doc[i].lower_
    if aux not in AUXILIARIES:
        return False
    nxt = i + 1
    negated = nxt < end and doc[nxt].lower_ in NOT_WORDS
    if negated:
        nxt += 1
    following = doc[nxt].lower_ if nxt < end else ""
    subject_next = following in PERSONAL | GENERIC_SUBJECTS | KIN | DEMONSTRATIVES
    if negated or aux in {"have", "has", "had"}:
        return subject_next
    if aux in {"is", "are", "was", "were", "am"}:
        return not (
            following.endswith("ing") or following in {"been", "just", "really", "so", "very"}
        )
    return True


def content_start(doc: Doc, start: int, end: int) -> int:
    i = start
    while i < end and (doc[i].lower_ in FILLERS or doc[i].is_punct):
        i += 1
    return i


def is_question_clause(doc: Doc, start: int, end: int) -> bool:
    """A clause opening with a question word or an inverted auxiliary, or a short '...?'."""
    first = content_start(doc, start, end)
    last = end - 1
    while last > start and doc[last].is_space:
        last -= 1
    asked = doc[last].text.startswith("?")
    if first < end and _is_wh_question(doc, first, end, asked):
        return True
    if first < end and _is_inverted_auxiliary(doc, first, end):
        return True
    if asked:
        short = end - start <= 7
        return short and not any(doc[k].lower_ in PERSONAL for k in range(start, end))
    return False


def _is_wh_question(doc: Doc, i: int, end: int, asked: bool) -> bool:
    """'What is...', 'How do I...'; not a statement like 'where you injected me is red'."""
    word = doc[i].lower_
    if word not in WH_WORDS:
        return False
    if word == "how" or asked:
        return True
    following = doc[i + 1].lower_ if i + 1 < end else ""
    return following in AUXILIARIES | {"'s", "s", "'re", "n't", "happens", "causes"}
