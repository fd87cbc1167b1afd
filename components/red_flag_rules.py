"""Deterministic detection of clinical red flags in patient messages.

No Rasa import here: this module is the pure detection logic, used by the Rasa
component in `components/red_flags.py` and testable on its own.

Approach
--------
1. **Normalise** the text without moving character offsets: lower-case it,
   straighten curly apostrophes, and correct obvious misspellings of words the
   patterns use ("numbess" -> "numbness", "incontinance" -> "incontinence"),
   only when the typed word is not an English word itself.
2. **Match** with spaCy's `Matcher` (token patterns over LOWER / LEMMA) and
   `PhraseMatcher` (phrases on LOWER), built from a clinic-editable YAML file
   (`content/red_flags.yml`). Every rule belongs to a category; a rule may require
   a *context* elsewhere in the message (e.g. a cancer history only counts with
   back pain).
3. **Filter** every match with small linguistic checks, each in its own function:
   - *negated*: "no fever", "I don't have any numbness", "never lost control";
   - *information only*: a general or hypothetical mention ("can stem cells cause
     incontinence?", "what should I do if I get a fever?") rather than a report,
     which may itself sit inside a question ("I have a fever, is that normal?");
   - *past and resolved*: "I had a fever last year", "the numbness went away"
     (categories can opt out: a history of cancer matters however old it is).
4. **Choose** the most serious surviving match: the category priority from the
   YAML file (suicidal thoughts and cauda equina first), then the earliest.

The checks favour safety: a message that is neither clearly negated, clearly
hypothetical nor clearly over is treated as a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from components.spacy_base import blank_english

# ---------------------------------------------------------------------------
# Word lists used by the linguistic checks (grammar, not clinical content).
# ---------------------------------------------------------------------------

SENTENCE_END = {".", "?", "!", ";", ":", "...", "…"}
CONTRAST = {"but", "however", "although", "though", "whereas", "except", "until", "till"}
CLAUSE_JOINERS = {",", "and", "so", "because", "cos", "cause", "plus", "then", "or", "-", "—", "–"}
INTERJECTIONS = {"no", "yes", "yeah", "yep", "nope", "ok", "okay", "well", "oh", "hi", "hello", "hey"}
PERSONAL = {
    "i", "me", "my", "myself", "we", "our", "us", "he", "him", "his", "himself",
    "she", "her", "herself", "they", "them", "their", "im", "ive",
}  # fmt: skip
POSSESSIVES = {"my", "his", "her", "our", "their"}
KIN = {
    "mum", "mom", "mother", "mam", "dad", "father", "husband", "wife", "partner",
    "son", "daughter", "brother", "sister", "friend", "grandma", "grandmother",
    "grandad", "granddad", "grandpa", "grandfather", "nan", "nana", "gran", "granny",
    "uncle", "aunt", "auntie", "boyfriend", "girlfriend", "fiance", "fiancee", "child",
    "kid", "neighbour", "neighbor", "mother-in-law", "father-in-law",
}  # fmt: skip
GENERIC_SUBJECTS = {
    "you", "your", "yourself", "people", "patients", "patient", "someone", "somebody",
    "anyone", "anybody", "one", "everyone", "everybody", "person", "u", "ur",
}  # fmt: skip
CLAUSE_STARTERS = (
    PERSONAL
    | KIN
    | GENERIC_SUBJECTS
    | {
        "it", "there", "this", "these", "that", "now", "since", "today", "yesterday",
        "tonight", "recently", "lately", "suddenly", "also", "what", "how", "why",
        "when", "where", "which", "who", "is", "are", "was", "were", "do", "does",
        "did", "can", "could", "should", "would", "will", "shall", "may", "might",
        "must", "am", "has", "have", "had", "the", "last", "after", "then",
    }
)  # fmt: skip
FILLERS = INTERJECTIONS | {
    "so", "also", "and", "but", "please", "doc", "doctor", "just", "quick",
    "question", "sorry", "um", "uh", "plus", "then", "hmm", "ok", ",", "-",
}  # fmt: skip
WH_WORDS = {"what", "whats", "how", "why", "when", "where", "which", "who", "whom", "whose"}
AUXILIARIES = {
    "is", "are", "was", "were", "am", "do", "does", "did", "can", "could", "will",
    "would", "should", "shall", "may", "might", "must", "has", "have", "had", "ca",
    "wo", "is'nt",
}  # fmt: skip
MODALS = {"can", "could", "will", "would", "might", "may", "should", "shall", "must", "ca", "wo"}
FUTURE_MODALS = {"will", "'ll", "ll", "would", "might", "may", "shall", "gonna"}
HYPOTHETICAL_VERBS = {"get", "develop", "experience", "lose", "need", "risk", "start", "go", "become"}

NEGATORS = {"no", "not", "n't", "nt", "never", "without", "none", "nor", "neither", "zero"}
NEGATOR_LEMMAS = {"deny"}
# A negator directly followed by one of these does not negate what comes later:
# "I don't know why I can't pee", "I can't stop thinking about suicide".
NEGATION_EXCEPTIONS = {
    "sure", "certain", "know", "idea", "stop", "help", "realise", "realize",
    "realised", "realized", "notice", "noticed", "remember", "explain", "understand",
    "believe", "shake", "matter", "wonder", "doubt", "care", "only", "just", "mind",
    "joke", "kidding", "exaggerating", "lying", "tell",
}  # fmt: skip
NEGATION_WINDOW = 8

CONDITIONALS = {"if", "unless", "whether", "whenever", "suppose", "supposing", "imagine", "hypothetically"}
# "if" after these is an embedded question ("not sure if I have a fever"), not a condition.
EMBEDDING_VERBS = {"sure", "know", "wonder", "wondering", "wondered", "ask", "asking", "check", "tell", "idea", "see"}
PROBABILITY_CUES = {"chance", "chances", "risk", "risks", "possibility", "possible", "likely", "odds", "likelihood", "probability"}
# A bare mention after one of these is a topic, not a report.
TOPIC_CUES = CONDITIONALS | PROBABILITY_CUES | {
    "about", "cause", "causes", "causing", "lead", "leads", "result", "results",
    "effect", "effects", "symptom", "symptoms", "sign", "signs", "prevent", "prevents",
    "avoid", "treat", "treats", "treating", "watch", "warned", "warn", "warning",
    "mentioned", "mention", "said", "says", "told", "read", "heard", "information",
    "info", "explain", "mean", "means", "define", "happen", "happens", "incidence",
    "rate", "common", "rare", "often", "frequency", "worried", "worry", "scared",
    "afraid", "fear", "feared", "concern", "concerned", "nervous", "anxious", "case",
    "avoiding", "reduce", "increase", "increases", "linked", "associated", "like",
}  # fmt: skip
AFTER_TOPIC_CUES = {
    "symptom", "symptoms", "sign", "signs", "risk", "risks", "side", "definition",
    "meaning", "mean", "means", "info", "information", "explained", "statistics",
    "rate", "rates", "common", "rare", "causes", "treatment", "prognosis",
}  # fmt: skip
# Tokens the search for a sentence's subject may step over, from the symptom back to "I".
SUBJECT_WALK_SKIP = {
    "have", "'ve", "ve", "has", "had", "'d", "d", "am", "'m", "m", "is", "'s", "s",
    "are", "'re", "re", "was", "were", "been", "be", "being", "do", "does", "did",
    "keep", "keeps", "kept", "feel", "feels", "felt", "feeling", "got", "get",
    "gets", "getting", "gotten", "having", "now", "just", "really", "also", "still",
    "suddenly", "completely", "totally", "literally", "actually", "always",
    "constantly", "started", "starting", "starts", "start", "begun", "began",
    "a", "an", "the", "some", "any", "bit", "little", "very", "so", "quite",
    "pretty", "severe", "bad", "high", "terrible", "awful", "recently", "today",
    "all", "kind", "sort", "think", "thought", "noticed", "notice", "developed",
    "develop", "developing", "going", "gone", "seem", "seems", "seemed", "to",
    "can", "could", "ca", "n't", "nt", "not", "never", "no", "unable", "able",
    "longer", "will", "'ll", "ll", "would", "might", "may", "must", "should",
    "gonna", "wo", "shall", "definitely", "probably", "maybe", "already", "again",
    "sometimes", "often", "keep", "lately", "of", "lot", "lots", "bad", "really",
    "sudden", "new", "awful", "this", "morning", "yesterday", "tonight", "week",
    "think", "thinks", "believe", "guess", "reckon", "like", "hmm", "um", "then",
    "had", "fully", "partly", "kinda", "sorta", "badly", "seriously", "horribly",
}  # fmt: skip
DISTANT_PAST = [
    ("years", "ago"), ("year", "ago"), ("months", "ago"), ("month", "ago"),
    ("last", "year"), ("last", "month"), ("as", "a", "child"), ("as", "a", "kid"),
    ("as", "a", "teenager"), ("as", "a", "baby"), ("when", "i", "was", "young"),
    ("when", "i", "was", "younger"), ("when", "i", "was", "little"),
    ("when", "i", "was", "a"), ("in", "the", "past"), ("long", "ago"),
    ("ages", "ago"), ("decades", "ago"), ("years", "back"), ("used", "to"),
    ("childhood",), ("previously",), ("in", "my", "twenties"), ("in", "my", "teens"),
    ("in", "my", "youth"), ("years", "before"), ("a", "while", "back"),
]  # fmt: skip
RESOLVED = [
    ("went", "away"), ("gone", "away"), ("has", "gone"), ("have", "gone"),
    ("'s", "gone"), ("is", "gone"), ("are", "gone"), ("resolved",), ("cleared",),
    ("settled",), ("better", "now"), ("got", "better"), ("fine", "now"),
    ("ok", "now"), ("okay", "now"), ("normal", "now"), ("back", "to", "normal"),
    ("passed",), ("subsided",), ("disappeared",), ("all", "clear"),
    ("came", "back", "clear"), ("came", "back", "negative"),
    ("came", "back", "normal"), ("came", "back", "fine"), ("was", "clear"),
    ("were", "clear"), ("was", "negative"), ("were", "negative"),
    ("ruled", "out"), ("no", "longer"), ("sorted", "out"), ("recovered",),
    ("wore", "off"), ("worn", "off"), ("eased", "off"), ("stopped",),
]  # fmt: skip
RESOLVED_WINDOW = 7
RESOLVED_PRONOUNS = {"it", "that", "this", "they", "those", "which"}

APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'", "ʼ": "'"})


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RedFlagMatch:
    """A red flag found in a message: its category and where it was said."""

    category: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class _Rule:
    key: str
    category: str
    priority: int
    requires: tuple[str, ...] = ()
    not_followed_by: tuple[tuple[str, ...], ...] = ()
    not_preceded_by: tuple[tuple[str, ...], ...] = ()
    not_with: tuple[tuple[str, ...], ...] = ()
    allow_past: bool = False


@dataclass(frozen=True)
class _Span:
    rule: _Rule
    start: int  # token index
    end: int  # token index (exclusive)


class RedFlagMatcher:
    """Finds red flags in a text with the rules of a patterns file."""

    def __init__(self, data: dict[str, Any], nlp: Language | None = None) -> None:
        self.nlp = nlp or blank_english()
        self.matcher = Matcher(self.nlp.vocab)
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.rules: dict[str, _Rule] = {}
        self.pattern_counts: dict[str, int] = {}
        self._vocabulary: set[str] = set()
        self._load(data)
        self._spelling_targets = tuple(sorted(w for w in self._vocabulary if len(w) >= 5))
        self._corrections: dict[str, str] = {}
        self._lookup = _lemma_lookup(self.nlp)

    # -- construction -------------------------------------------------------

    @classmethod
    def from_config(cls, data: dict[str, Any]) -> RedFlagMatcher:
        """Build a matcher from the parsed patterns file."""
        return cls(data)

    @classmethod
    def from_file(cls, path: str | Path) -> RedFlagMatcher:
        """Build a matcher from a patterns YAML file."""
        return cls(load_patterns_file(path))

    @property
    def categories(self) -> list[str]:
        """Category names, most serious first."""
        ranked = {(rule.priority, rule.category) for rule in self.rules.values() if rule.priority >= 0}
        return [name for _, name in sorted(ranked)]

    def _load(self, data: dict[str, Any]) -> None:
        if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
            raise ValueError("red-flag patterns need a 'categories' mapping")
        for name, spec in (data.get("contexts") or {}).items():
            self._add_rules(f"context:{name}", -1, [spec])
        for name, spec in data["categories"].items():
            if not isinstance(spec, dict) or "priority" not in spec or "rules" not in spec:
                raise ValueError(f"category '{name}' needs 'priority' and 'rules'")
            self._add_rules(name, int(spec["priority"]), spec["rules"])
            self.pattern_counts[name] = sum(
                len(rule.get("patterns") or []) + len(rule.get("phrases") or [])
                for rule in spec["rules"]
            )

    def _add_rules(self, category: str, priority: int, rules: Sequence[dict]) -> None:
        for index, spec in enumerate(rules):
            if not spec.get("patterns") and not spec.get("phrases"):
                raise ValueError(f"a rule of '{category}' has neither patterns nor phrases")
            rule = _Rule(
                key=f"{category}#{index}",
                category=category,
                priority=priority,
                requires=tuple(spec.get("requires") or ()),
                not_followed_by=self._phrase_tuples(spec.get("not_followed_by")),
                not_preceded_by=self._phrase_tuples(spec.get("not_preceded_by")),
                not_with=self._phrase_tuples(spec.get("not_with")),
                allow_past=bool(spec.get("allow_past", False)),
            )
            self.rules[rule.key] = rule
            patterns = [_flatten(pattern) for pattern in spec.get("patterns") or []]
            if patterns:
                self.matcher.add(rule.key, patterns)
                self._vocabulary.update(_pattern_words(patterns))
            phrases = [self._tokens(phrase) for phrase in spec.get("phrases") or []]
            if phrases:
                self.phrase_matcher.add(rule.key, phrases)
                self._vocabulary.update(t.lower_ for doc in phrases for t in doc if t.is_alpha)

    def _tokens(self, text: str) -> Doc:
        return self.nlp.make_doc(_normalise(str(text)))

    def _phrase_tuples(self, phrases: Iterable[str] | None) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(t.lower_ for t in self._tokens(p)) for p in phrases or ())

    # -- detection ----------------------------------------------------------

    def find(self, text: str) -> RedFlagMatch | None:
        """Return the most serious red flag reported in `text`, or None."""
        if not text or not text.strip():
            return None
        original = self.nlp.make_doc(_normalise(text))
        doc = self._spelling_corrected(original)
        structure = _Structure(doc)
        spans = self._spans(doc, structure)
        contexts = {
            span.rule.category.split(":", 1)[1]
            for span in spans
            if span.rule.priority < 0 and not _is_negated(doc, span.start, structure)
        }
        best: _Span | None = None
        for span in spans:
            if span.rule.priority < 0 or not self._accepts(doc, span, structure, contexts):
                continue
            if best is None or (span.rule.priority, span.start) < (best.rule.priority, best.start):
                best = span
        if best is None:
            return None
        start = original[best.start].idx
        end = original[best.end - 1].idx + len(original[best.end - 1])
        return RedFlagMatch(best.rule.category, text[start:end], start, end)

    def _spans(self, doc: Doc, structure: _Structure) -> list[_Span]:
        found = [(key, s, e) for key, s, e in self.matcher(doc)]
        found += [(key, s, e) for key, s, e in self.phrase_matcher(doc)]
        spans = []
        for key, start, end in found:
            if structure.sentence[start] != structure.sentence[end - 1]:
                continue
            spans.append(_Span(self.rules[self.nlp.vocab.strings[key]], start, end))
        return sorted(spans, key=lambda span: (span.start, -span.end))

    def _accepts(self, doc: Doc, span: _Span, structure: _Structure, contexts: set[str]) -> bool:
        rule = span.rule
        words = [t.lower_ for t in doc]
        if rule.requires and not contexts.intersection(rule.requires):
            return False
        if _starts_with_any(words, span.end, rule.not_followed_by):
            return False
        if _ends_with_any(words, span.start, rule.not_preceded_by):
            return False
        sentence = structure.sentence_range(span.start)
        if any(_find_phrase(words, phrase, *sentence) >= 0 for phrase in rule.not_with):
            return False
        if _is_negated(doc, span.start, structure):
            return False
        if _is_information_only(doc, span, structure):
            return False
        return rule.allow_past or not _is_past_or_resolved(doc, span, structure)

    # -- spelling -----------------------------------------------------------

    def _spelling_corrected(self, doc: Doc) -> Doc:
        """Replace misspelt pattern words, keep everything else; add lemmas."""
        words = [self._correct(token.text) for token in doc]
        fixed = Doc(self.nlp.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
        for _, component in self.nlp.pipeline:
            fixed = component(fixed)
        return fixed

    def _correct(self, word: str) -> str:
        if word not in self._corrections:
            self._corrections[word] = word if self._is_known(word) else _closest(word, self._spelling_targets) or word
        return self._corrections[word]

    def _is_known(self, word: str) -> bool:
        """Short, non-alphabetic, pattern or English words are left as typed."""
        if len(word) < 4 or not word.isalpha() or word in self._vocabulary:
            return True
        return word in _english_dictionary() or (self._lookup is not None and word in self._lookup)


def load_patterns_file(path: str | Path) -> dict[str, Any]:
    """Read a patterns YAML file (anchors and aliases allowed)."""
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a YAML mapping")
    return data


# ---------------------------------------------------------------------------
# Sentence and clause structure
# ---------------------------------------------------------------------------


class _Structure:
    """Sentence and clause index of every token of a doc."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.sentence: list[int] = []
        self.clause: list[int] = []
        sentence = clause = 0
        for i, token in enumerate(doc):
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
    word, previous = doc[i].lower_, doc[i - 1].lower_
    if word in CONTRAST:
        return True
    if "\n" in doc[i - 1].whitespace_:
        return True
    joined = previous in CLAUSE_JOINERS or (previous in INTERJECTIONS and i == 1)
    return joined and word in CLAUSE_STARTERS


def _content_start(doc: Doc, start: int, end: int) -> int:
    i = start
    while i < end and (doc[i].lower_ in FILLERS or doc[i].is_punct):
        i += 1
    return i


def _is_question_clause(doc: Doc, start: int, end: int) -> bool:
    """A clause opening with a question word or an inverted auxiliary, or a short '...?'."""
    first = _content_start(doc, start, end)
    if first < end and (doc[first].lower_ in WH_WORDS or doc[first].lower_ in AUXILIARIES):
        return True
    last = end - 1
    while last > start and doc[last].is_space:
        last -= 1
    if doc[last].text.startswith("?"):
        short = end - start <= 7
        return short and not any(doc[k].lower_ in PERSONAL for k in range(start, end))
    return False


# ---------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------


def _is_negation_cue(doc: Doc, i: int) -> bool:
    token = doc[i]
    if token.lower_ not in NEGATORS and token.lemma_ not in NEGATOR_LEMMAS:
        return False
    following = doc[i + 1].lower_ if i + 1 < len(doc) else ""
    after_next = doc[i + 2].lower_ if i + 2 < len(doc) else ""
    if following == "get":
        return after_next != "rid"
    return following not in NEGATION_EXCEPTIONS


def _is_negated(doc: Doc, start: int, structure: _Structure) -> bool:
    """A negation word shortly before the match, in the same clause."""
    clause_start, _ = structure.clause_range(start)
    lowest = max(clause_start, start - NEGATION_WINDOW)
    return any(_is_negation_cue(doc, i) for i in range(start - 1, lowest - 1, -1))


def _find_subject(doc: Doc, start: int, clause_start: int) -> int | None:
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


def _is_information_only(doc: Doc, span: _Span, structure: _Structure) -> bool:
    """General or hypothetical mention, not a report of a current problem."""
    clause_start, clause_end = structure.clause_range(span.start)
    subject = _find_subject(doc, span.start, clause_start)
    if subject is not None:
        return _subject_is_hypothetical(doc, subject, span.start, clause_start, clause_end)
    return _bare_mention_is_information(doc, span, structure)


def _has_conditional(doc: Doc, start: int, end: int, question: bool) -> bool:
    for i in range(start, end):
        word = doc[i].lower_
        previous = doc[i - 1].lower_ if i > 0 else ""
        if word in {"if", "whether"} and (previous in EMBEDDING_VERBS or previous in {"as", "even"}):
            continue
        if word in CONDITIONALS or (word == "case" and previous == "in"):
            return True
        if question and word in {"when", "once"} and i > start:
            return True
    return False


def _subject_is_hypothetical(doc: Doc, subject: int, start: int, clause_start: int, clause_end: int) -> bool:
    if doc[subject].lower_ in GENERIC_SUBJECTS:
        return True
    question = _is_question_clause(doc, clause_start, clause_end)
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
    first = _content_start(doc, clause_start, subject)
    if aux in {"do", "does"} and first == subject - 1:
        verb = doc[subject + 1].lemma_ if subject + 1 < len(doc) else ""
        return verb in HYPOTHETICAL_VERBS
    opens_with_modal = doc[first].lower_ in MODALS and doc[first + 1].lower_ not in {"n't", "nt", "not"}
    embedded = any(doc[i].lower_ in {"that", "because", "since", "as", "cos"} for i in range(first, subject))
    return opens_with_modal and not embedded


def _future_modal_between(doc: Doc, subject: int, start: int) -> bool:
    """'I will lose...', 'I might get...', 'I'm going to lose...' (not 'I might have')."""
    for i in range(subject + 1, start):
        word = doc[i].lower_
        following = doc[i + 1].lower_ if i + 1 < len(doc) else ""
        if word in FUTURE_MODALS and following not in {"have", "'ve", "be", "been", "n't", "nt", "not"}:
            return True
        if word == "going" and following == "to" and i + 2 < start:
            return True
    return False


def _bare_mention_is_information(doc: Doc, span: _Span, structure: _Structure) -> bool:
    clause_start, clause_end = structure.clause_range(span.start)
    question = _is_question_clause(doc, clause_start, clause_end)
    if _has_conditional(doc, clause_start, span.start, question):
        return True
    if any(doc[i].lower_ in TOPIC_CUES for i in range(clause_start, span.start)):
        return True
    if any(doc[i].lower_ in AFTER_TOPIC_CUES for i in range(span.end, clause_end)):
        return True
    if question:
        return not _mentions_own_body(doc, span)
    return _is_topic_question(doc, structure.sentence_range(span.start))


def _mentions_own_body(doc: Doc, span: _Span) -> bool:
    """'How long will the numbness in my groin last?' presupposes the symptom."""
    return any(doc[i].lower_ in POSSESSIVES for i in range(span.start, span.end))


def _is_topic_question(doc: Doc, sentence: tuple[int, int]) -> bool:
    """'Incontinence - is it a side effect?': a topic followed by a question about it."""
    start, end = sentence
    words = [doc[i].lower_ for i in range(start, end)]
    if not any(w.startswith("?") for w in words) or any(w in PERSONAL for w in words):
        return False
    return any(w in AFTER_TOPIC_CUES or w in PROBABILITY_CUES for w in words)


def _is_past_or_resolved(doc: Doc, span: _Span, structure: _Structure) -> bool:
    """Long ago ('last year', 'as a child') or over ('it went away', 'came back clear')."""
    words = [t.lower_ for t in doc]
    clause_start, clause_end = structure.clause_range(span.start)
    if any(_find_phrase(words, p, clause_start, clause_end) >= 0 for p in DISTANT_PAST):
        return True
    if _past_year(doc, clause_start, clause_end):
        return True
    if _find_phrase(words, ("ruled", "out"), clause_start, clause_end) >= 0:
        return True
    window_end = min(clause_end, span.end + RESOLVED_WINDOW)
    if any(_find_phrase(words, p, span.end, window_end) >= 0 for p in RESOLVED):
        return True
    return _next_clause_resolves(words, span, structure)


def _next_clause_resolves(words: list[str], span: _Span, structure: _Structure) -> bool:
    """'I had numbness but it's gone now'."""
    following = structure.next_clause_range(span.start)
    if following is None:
        return False
    start, end = following
    head = words[start : start + 2]
    if not (head and head[0] in CONTRAST | {"and", ",", "which"} and RESOLVED_PRONOUNS.intersection(head)):
        return False
    return any(_find_phrase(words, p, start, min(end, start + RESOLVED_WINDOW)) >= 0 for p in RESOLVED)


def _past_year(doc: Doc, start: int, end: int) -> bool:
    for i in range(start + 1, end):
        text = doc[i].text
        if doc[i - 1].lower_ == "in" and len(text) == 4 and text.isdigit() and text[:2] in {"19", "20"}:
            return True
    return False


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _normalise(text: str) -> str:
    """Lower-case and straighten apostrophes without changing any offset."""
    text = text.translate(APOSTROPHES)
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _flatten(pattern: Sequence[Any]) -> list[dict]:
    """Splice nested lists (YAML aliases of token sequences) into one token pattern."""
    tokens: list[dict] = []
    for item in pattern:
        if isinstance(item, list):
            tokens.extend(_flatten(item))
        elif isinstance(item, dict):
            tokens.append(item)
        else:
            raise ValueError(f"token pattern items must be mappings, got {item!r}")
    return tokens


def _pattern_words(patterns: Iterable[list[dict]]) -> set[str]:
    words: set[str] = set()
    for pattern in patterns:
        for token in pattern:
            for attr in ("LOWER", "LEMMA"):
                value = token.get(attr)
                values = value.get("IN", []) if isinstance(value, dict) else [value]
                words.update(v for v in values if isinstance(v, str) and v.isalpha())
    return words


def _find_phrase(words: list[str], phrase: tuple[str, ...], start: int, end: int) -> int:
    size = len(phrase)
    for i in range(start, end - size + 1):
        if tuple(words[i : i + size]) == phrase:
            return i
    return -1


def _starts_with_any(words: list[str], i: int, phrases: Iterable[tuple[str, ...]]) -> bool:
    return any(tuple(words[i : i + len(p)]) == p for p in phrases)


def _ends_with_any(words: list[str], i: int, phrases: Iterable[tuple[str, ...]]) -> bool:
    return any(i - len(p) >= 0 and tuple(words[i - len(p) : i]) == p for p in phrases)


def _closest(word: str, vocabulary: tuple[str, ...]) -> str | None:
    """The single vocabulary word within 1 edit (2 for long words), if any."""
    limit = 2 if len(word) >= 9 else 1
    best: list[str] = []
    best_distance = limit + 1
    for candidate in vocabulary:
        if abs(len(candidate) - len(word)) > limit:
            continue
        distance = _edit_distance(word, candidate, limit)
        if distance < best_distance:
            best, best_distance = [candidate], distance
        elif distance == best_distance:
            best.append(candidate)
    return best[0] if len(best) == 1 else None


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count once), capped at limit + 1."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


@lru_cache(maxsize=1)
def _english_dictionary() -> frozenset[str]:
    from spacy.lookups import load_lookups

    index = load_lookups("en", ["lemma_index"]).get_table("lemma_index")
    return frozenset(word for part in ("noun", "verb", "adj", "adv") for word in index[part])


def _lemma_lookup(nlp: Language) -> Any:
    """The lookup lemmatizer's table: its keys are inflected English words."""
    if "lemmatizer" not in nlp.pipe_names:
        return None
    lookups = nlp.get_pipe("lemmatizer").lookups
    return lookups.get_table("lemma_lookup") if "lemma_lookup" in lookups.tables else None
