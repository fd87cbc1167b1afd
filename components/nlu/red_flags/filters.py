"""Filters on a candidate red flag: negated, only a question, someone else's, cancelled.

Each looks inside the clause (or sentence) of the symptom only, so a "no" early in a
message cannot cancel a report later in it. The checks favour safety: what is
neither clearly negated nor clearly hypothetical counts as a report.
"""

from __future__ import annotations

from spacy.tokens import Doc

from components.nlu.red_flags.clauses import Structure, content_start, is_question_clause
from components.nlu.red_flags.patterns import Span, ends_with_any, find_phrase, starts_with_any
from components.nlu.red_flags.vocabulary import (
    AFTER_TOPIC_CUES,
    BRIEF,
    BRIEF_WORDS,
    CONDITIONALS,
    CONTRAST,
    DONE_TO,
    EMBEDDING_VERBS,
    FEARS,
    FIRST_PERSON,
    FUTURE_MODALS,
    GENERIC_SUBJECTS,
    HAVING,
    HYPOTHETICAL_VERBS,
    KIN,
    MODALS,
    NEGATION_EXCEPTIONS,
    NEGATION_WINDOW,
    NEGATOR_LEMMAS,
    NEGATORS,
    NOT_WORDS,
    OWNING_WINDOW,
    PERSONAL,
    POSSESSIVES,
    PRESENT_AFTER_MODAL,
    PROBABILITY_CUES,
    RESOLVED_PRONOUNS,
    SELF_REPORT,
    SUBJECT_WALK_SKIP,
    SUPPOSED_WINDOW,
    SUPPOSING,
    THINKING,
    TOPIC_CUES,
)


def is_negation_cue(doc: Doc, i: int) -> bool:
    token = doc[i]
    if token.lower_ not in NEGATORS and token.lemma_ not in NEGATOR_LEMMAS:
        return False
    j = i + 1
    while j < len(doc) and doc[j].lower_ in {"even", "really", "actually", "just", "always"}:
        j += 1  # "didn't even know I'd wet myself"
    if j + 1 < len(doc) and doc[j].lower_ == "seem" and doc[j + 1].lower_ == "to":
        j += 2  # "can't seem to shake these thoughts" as "can't shake"
    following = doc[j].lower_ if j < len(doc) else ""
    after_next = doc[j + 1].lower_ if j + 1 < len(doc) else ""
    if following == "get":  # "can't get rid of / away from these thoughts"
        return after_next not in {"rid", "away", "past", "over"}
    return following not in NEGATION_EXCEPTIONS


def is_negated(doc: Doc, start: int, structure: Structure) -> bool:
    """A negation word shortly before the match, in the same clause."""
    clause_start, _ = structure.clause_range(start)
    lowest = max(clause_start, start - NEGATION_WINDOW)
    return any(is_negation_cue(doc, i) for i in range(start - 1, lowest - 1, -1))


def find_subject(doc: Doc, start: int, clause_start: int) -> int | None:
    """Index of the personal subject (or possessive) the symptom belongs to."""
    if doc[start].lower_ in POSSESSIVES | KIN:
        return start
    for i in range(start - 1, clause_start - 1, -1):
        word = doc[i].lower_
        if word in KIN:
            return i - 1 if i > clause_start and doc[i - 1].lower_ in POSSESSIVES else i
        if word in PERSONAL or word in GENERIC_SUBJECTS:
            return i
        if word not in SUBJECT_WALK_SKIP:
            return None
    return None


def is_information_only(doc: Doc, span: Span, structure: Structure) -> bool:
    """General or hypothetical mention, not a report of a current problem."""
    if _next_sentence_owns_it(doc, structure, span.start):
        return False
    if is_feared_or_supposed(doc, span, structure):
        return True
    if _in_conditional_list(doc, structure, structure.sentence_range(span.start)[0]):
        return True
    clause_start, clause_end = structure.clause_range(span.start)
    subject = find_subject(doc, span.start, clause_start)
    if subject is not None:
        return _subject_is_hypothetical(doc, subject, span.start, clause_start, clause_end)
    return _bare_mention_is_information(doc, span, structure)


def _next_sentence_owns_it(doc: Doc, structure: Structure, i: int) -> bool:
    """A question the next sentence makes a report: 'Can tightness of the chest be the
    only sign? I've had this for a week now.'"""
    _, end = structure.sentence_range(i)
    if end >= len(doc):
        return False
    start, next_end = structure.sentence_range(end)
    words = [doc[k].lower_ for k in range(start, min(next_end, start + OWNING_WINDOW))]
    for k, word in enumerate(words):
        if word == "i" and any(w in HAVING for w in words[k + 1 : k + 3]):
            return any(
                w in RESOLVED_PRONOUNS and not _is_done_to(words, j)
                for j, w in enumerate(words[k + 2 : k + 5], start=k + 2)
            )
    return False


def _is_done_to(words: list[str], j: int) -> bool:
    """'I've had it done', 'I've had it twice before': the pronoun is a procedure, not
    the symptom."""
    return any(w in DONE_TO for w in words[j + 1 : j + 4])


def _in_conditional_list(doc: Doc, structure: Structure, sentence_start: int) -> bool:
    """An item of a list that a conditional opens: "I won't have surgery unless:
    1) I become incontinent; 2) I develop weakness"."""
    end = sentence_start - 1  # the token that ends the sentence before
    while end > 0 and doc[end].text in {":", ";"}:
        if doc[end].text == ":" and doc[end - 1].lower_ in CONDITIONALS:
            return True
        end = structure.sentence_range(end)[0] - 1
    return False


def is_feared_or_supposed(doc: Doc, span: Span, structure: Structure) -> bool:
    """A feared or supposed outcome, not a report: 'I might wake up paralysed', 'before I
    get paralysed', 'I thought I was paralysed', 'afraid of losing control'. Only the few
    words before the symptom count, in its sentence; 'I'm scared because my legs are
    numb' stays a report."""
    sentence_start, _ = structure.sentence_range(span.start)
    start = max(sentence_start, span.start - SUPPOSED_WINDOW)
    words = [doc[i].lower_ for i in range(start, span.start)]
    for k, word in enumerate(words):
        following = words[k + 1] if k + 1 < len(words) else doc[span.start].lower_
        if word in {"might", "may"} and following not in PRESENT_AFTER_MODAL:
            return True
        if word == "before" and following in PERSONAL:
            return True
        if word in FEARS and following == "of":
            return True
        if word in SUPPOSING and following in PERSONAL:
            after = words[k + 2] if k + 2 < len(words) else ""
            if after in {"was", "were", "'d", "would", "might", "had"}:
                return True
    return False


def _has_conditional(doc: Doc, start: int, end: int, question: bool) -> bool:
    """'if', 'in case', 'unless'; in a statement 'not sure if' only embeds a report."""
    for i in range(start, end):
        word = doc[i].lower_
        previous = doc[i - 1].lower_ if i > 0 else ""
        if word in {"if", "whether"} and previous in {"as", "even"}:
            continue
        if word in {"if", "whether"} and previous in EMBEDDING_VERBS and not question:
            continue
        if word in CONDITIONALS or (word == "case" and previous == "in"):
            return True
        if question and word in {"when", "once"} and i > start:
            return True
    return False


def _subject_is_hypothetical(
    doc: Doc, subject: int, start: int, clause_start: int, clause_end: int
) -> bool:
    if doc[subject].lower_ in GENERIC_SUBJECTS:
        return True
    question = is_question_clause(doc, clause_start, clause_end)
    if _has_conditional(doc, clause_start, subject, question):
        return True
    if any(doc[i].lower_ in PROBABILITY_CUES for i in range(clause_start, subject)):
        return True
    if _inverted_modal_before(doc, subject, clause_start):
        return True
    return _future_modal_between(doc, subject, start)


def _inverted_modal_before(doc: Doc, subject: int, clause_start: int) -> bool:
    """'Will I lose control...?', 'Could it make me incontinent?', 'Do I get a fever after it?'.

    A negated auxiliary is a complaint, not a hypothesis: 'why can't I feel my legs?'.
    """
    if subject == clause_start:
        return False
    aux = doc[subject - 1].lower_
    if aux in MODALS:
        return True
    first = content_start(doc, clause_start, subject)
    if aux in {"do", "does"} and first == subject - 1:
        verb = doc[subject + 1].lemma_ if subject + 1 < len(doc) else ""
        return verb in HYPOTHETICAL_VERBS
    opens_with_modal = doc[first].lower_ in MODALS and doc[first + 1].lower_ not in NOT_WORDS
    embedded = any(
        doc[i].lower_ in {"that", "because", "since", "as", "cos"} for i in range(first, subject)
    )
    return opens_with_modal and not embedded


def _future_modal_between(doc: Doc, subject: int, start: int) -> bool:
    """'I will lose...', 'I might get...', 'I'm going to lose...' (not 'I might have')."""
    for i in range(subject + 1, start):
        word = doc[i].lower_
        following = doc[i + 1].lower_ if i + 1 < len(doc) else ""
        if word in FUTURE_MODALS and following not in PRESENT_AFTER_MODAL:
            return True
        if word in {"going", "gon"} and following in {"to", "na"} and i + 2 < start:
            return True
    return False


def _bare_mention_is_information(doc: Doc, span: Span, structure: Structure) -> bool:
    clause_start, clause_end = structure.clause_range(span.start)
    question = is_question_clause(doc, clause_start, clause_end)
    if _has_conditional(doc, clause_start, span.start, question):
        return True
    if any(_is_topic_cue(doc, i) for i in range(clause_start, span.start)):
        return True
    if any(_is_after_topic_cue(doc, i) for i in range(span.end, clause_end)):
        return True
    if question:
        return not _mentions_own_body(doc, span)
    return _is_topic_question(doc, structure.sentence_range(span.start))


def _is_topic_cue(doc: Doc, i: int) -> bool:
    """'about' marks a topic ('worried about incontinence'), not after 'thinking about';
    'as a result, I have ...' is a report."""
    if doc[i].lower_ not in TOPIC_CUES:
        return False
    previous = doc[i - 1].lemma_ if i > 0 else ""
    if doc[i].lower_ == "result" and i > 1 and doc[i - 2].lower_ == "as":
        return False
    return not (doc[i].lower_ in {"about", "of"} and previous in THINKING)


def _mentions_own_body(doc: Doc, span: Span) -> bool:
    """'How long will the numbness in my groin last?' presupposes the symptom."""
    return any(doc[i].lower_ in POSSESSIVES - {"their"} for i in range(span.start, span.end))


def _is_topic_question(doc: Doc, sentence: tuple[int, int]) -> bool:
    """'Incontinence - is it a side effect?': a topic followed by a question about it."""
    start, end = sentence
    words = [doc[i].lower_ for i in range(start, end)]
    if not any(w.startswith("?") for w in words) or any(w in PERSONAL for w in words):
        return False
    return any(w in AFTER_TOPIC_CUES or w in PROBABILITY_CUES for w in words)


def has_required_context(doc: Doc, span: Span, structure: Structure, contexts: set[str]) -> bool:
    """One of the rule's `requires` contexts is in the message (or a built-in one holds:
    `self_report`, or `brief`: the message is a few words and nothing else)."""
    requires = span.rule.requires
    if not requires or contexts.intersection(requires):
        return True
    if BRIEF in requires and len([t for t in doc if not t.is_punct]) <= BRIEF_WORDS:
        return True
    return SELF_REPORT in requires and is_self_report(doc, span, structure)


def is_self_report(doc: Doc, span: Span, structure: Structure) -> bool:
    """The writer's own symptom: 'I have a fever', 'fever since yesterday' (not 'my son has')."""
    clause_start, _ = structure.clause_range(span.start)
    subject = find_subject(doc, span.start, clause_start)
    if subject is None:
        return True
    someone_else = subject + 1 < len(doc) and doc[subject + 1].lower_ in KIN
    return doc[subject].lower_ in FIRST_PERSON and not someone_else


def is_cancelled(words: list[str], span: Span, structure: Structure) -> bool:
    """The rule's own exceptions: words right after, right before, or in the sentence."""
    rule = span.rule
    if starts_with_any(words, span.end, rule.not_followed_by):
        return True
    if ends_with_any(words, span.start, rule.not_preceded_by):
        return True
    sentence = structure.sentence_range(span.start)
    return any(find_phrase(words, phrase, *sentence) >= 0 for phrase in rule.not_with)


def blocks_gap(doc: Doc, i: int) -> bool:
    """A gap may not step over a negation ("legs are not numb") or a new clause ("but")."""
    return doc[i].lower_ in CONTRAST or is_negation_cue(doc, i)


def _is_after_topic_cue(doc: Doc, i: int) -> bool:
    """'... a side effect?', 'symptoms', 'risks'; but 'on the right side' is a place."""
    word = doc[i].lower_
    if word == "side":
        following = doc[i + 1].lower_ if i + 1 < len(doc) else ""
        return following.startswith("effect")
    return word in AFTER_TOPIC_CUES
