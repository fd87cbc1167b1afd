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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

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
INTERJECTIONS = {
    "no",
    "yes",
    "yeah",
    "yep",
    "nope",
    "ok",
    "okay",
    "well",
    "oh",
    "hi",
    "hello",
    "hey",
}
PERSONAL = {
    "i", "me", "my", "myself", "we", "our", "us", "he", "him", "his", "himself",
    "she", "her", "herself", "they", "them", "their", "im", "ive",
}  # fmt: skip
POSSESSIVES = {"my", "his", "her", "our", "their"}
FIRST_PERSON = {"i", "me", "my", "myself", "we", "our", "us", "im", "ive"}
# Built-in context for `requires`: the symptom is the writer's own.
SELF_REPORT = "self_report"
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
WH_WORDS = {
    "what", "whats", "how", "why", "when", "where", "which", "who", "whom", "whose",
    "wat", "wot", "wht", "wats", "hw", "hows", "whys", "wheres",
}  # fmt: skip
AUXILIARIES = {
    "is", "are", "was", "were", "am", "do", "does", "did", "can", "could", "will",
    "would", "should", "shall", "may", "might", "must", "has", "have", "had", "ca",
    "wo",
}  # fmt: skip
MODALS = {"can", "could", "will", "would", "might", "may", "should", "shall", "must", "ca", "wo"}
FUTURE_MODALS = {"will", "'ll", "ll", "would", "might", "may", "shall", "gonna", "gon"}
NOT_WORDS = {"n't", "nt", "not"}
# "I might have an infection" speculates about now; "I might get one" is hypothetical.
PRESENT_AFTER_MODAL = {"have", "'ve", "be", "been"} | NOT_WORDS
DEMONSTRATIVES = {"it", "there", "this", "that", "these", "those"}
THINKING = {
    "think",
    "thought",
    "thoughts",
    "consider",
    "considering",
    "dream",
    "fantasise",
    "fantasize",
    "obsess",
}
HYPOTHETICAL_VERBS = {
    "get",
    "develop",
    "experience",
    "lose",
    "need",
    "risk",
    "start",
    "go",
    "become",
}

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

CONDITIONALS = {
    "if",
    "unless",
    "whether",
    "whenever",
    "suppose",
    "supposing",
    "imagine",
    "hypothetically",
}
# "if" after these is an embedded question ("not sure if I have a fever"), not a condition.
EMBEDDING_VERBS = {
    "sure",
    "know",
    "wonder",
    "wondering",
    "wondered",
    "ask",
    "asking",
    "check",
    "tell",
    "idea",
    "see",
}
PROBABILITY_CUES = {
    "chance",
    "chances",
    "risk",
    "risks",
    "possibility",
    "possible",
    "likely",
    "odds",
    "likelihood",
    "probability",
}
# A bare mention after one of these is a topic, not a report.
TOPIC_CUES = CONDITIONALS | PROBABILITY_CUES | {
    "about", "cause", "causes", "causing", "lead", "leads", "result", "results",
    "effect", "effects", "symptom", "symptoms", "sign", "signs", "prevent", "prevents",
    "avoid", "treat", "treats", "treating", "watch", "warned", "warn", "warning",
    "mentioned", "mention", "said", "says", "told", "read", "heard", "information",
    "info", "explain", "mean", "means", "define", "happen", "happens", "incidence",
    "rate", "common", "rare", "often", "frequency", "worried", "worry", "scared",
    "afraid", "fear", "feared", "concern", "concerned", "nervous", "anxious",
    "avoiding", "reduce", "increase", "increases", "linked", "associated",
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
    "sometimes", "often", "lately", "of", "lot", "lots", "sudden", "new", "this",
    "morning", "yesterday", "tonight", "week",
    "thinks", "believe", "guess", "reckon", "like", "hmm", "um", "then",
    "want", "wants", "wanted", "wanting", "wanna", "need", "needs", "needed", "tried",
    "trying", "try", "ever", "gon", "na", "wan",
    "fully", "partly", "kinda", "sorta", "badly", "seriously", "horribly",
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
# Long-standing, unless the sentence says something is new ("for years, but now...").
LONGSTANDING = [
    ("for", "years"), ("for", "many", "years"), ("for", "ages"), ("for", "decades"),
    ("all", "my", "life"), ("since", "childhood"), ("since", "i", "was"),
    ("for", "a", "long", "time"), ("long-standing",), ("longstanding",),
    ("long", "standing"), ("for", "as", "long", "as", "i", "can", "remember"),
]  # fmt: skip
RECENT = {
    "now", "new", "suddenly", "sudden", "recently", "started", "starting", "yesterday",
    "today", "tonight", "morning", "night", "week", "days", "hours", "just", "lately",
    "worse", "worsening",
}  # fmt: skip
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
RESOLVED_WINDOW = 10
RESOLVED_PRONOUNS = {"it", "that", "this", "they", "those", "which"}

GAP = {"IS_PUNCT": False, "OP": "?"}
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
    in_questions: bool = False


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
        self._pattern_rules: dict[str, _Rule] = {}
        self._gaps: dict[str, frozenset[int]] = {}
        self.pattern_counts: dict[str, int] = {}
        self._vocabulary: set[str] = set()
        self._load(data)
        self._spelling_targets = tuple(sorted(w for w in self._vocabulary if len(w) >= 4))
        self._corrections: dict[str, str] = {}
        self._lookup = _lemma_lookup(self.nlp)
        _english_dictionary()  # load now, not on the first patient message

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
        ranked = {
            (rule.priority, rule.category) for rule in self.rules.values() if rule.priority >= 0
        }
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
                in_questions=bool(spec.get("in_questions", False)),
            )
            self.rules[rule.key] = rule
            for number, raw in enumerate(spec.get("patterns") or []):
                pattern = _flatten(raw)
                _check_pattern(pattern, rule.key)
                key = f"{rule.key}/{number}"
                self.matcher.add(key, [pattern])
                self._pattern_rules[key] = rule
                self._gaps[key] = frozenset(i for i, token in enumerate(pattern) if token == GAP)
                self._vocabulary.update(_pattern_words([pattern]))
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
        accepted = [match for match, verdict in self.explain(text) if verdict == "red flag"]
        return accepted[0] if accepted else None

    def explain(self, text: str) -> list[tuple[RedFlagMatch, str]]:
        """Every candidate match with the verdict on it, most serious first.

        The verdict is "red flag" or the reason it was dropped ("negated", ...);
        useful when editing the patterns file.
        """
        if not text or not text.strip():
            return []
        original = self.nlp.make_doc(_normalise(text))
        doc = self._spelling_corrected(original)
        structure = _Structure(doc)
        spans = self._spans(doc, structure)
        words = [t.lower_ for t in doc]
        contexts = {
            span.rule.category.split(":", 1)[1]
            for span in spans
            if span.rule.priority < 0
            and not _is_cancelled(words, span, structure)
            and not _is_negated(doc, span.start, structure)
        }
        results = []
        for span in sorted(spans, key=lambda s: (s.rule.priority, s.start, -s.end)):
            if span.rule.priority >= 0:
                start = original[span.start].idx
                end = original[span.end - 1].idx + len(original[span.end - 1])
                match = RedFlagMatch(span.rule.category, text[start:end], start, end)
                results.append((match, self._verdict(doc, span, structure, contexts)))
        return results

    def _spans(self, doc: Doc, structure: _Structure) -> list[_Span]:
        """All matches inside one sentence whose gaps skip no negation or 'but'."""
        spans = []
        for key_id, start, end, alignment in self.matcher(doc, with_alignments=True):
            key = self.nlp.vocab.strings[key_id]
            gap_tokens = [
                start + k for k, element in enumerate(alignment) if element in self._gaps[key]
            ]
            if not any(_blocks_gap(doc, i) for i in gap_tokens):
                spans.append(_Span(self._pattern_rules[key], start, end))
        for key_id, start, end in self.phrase_matcher(doc):
            spans.append(_Span(self.rules[self.nlp.vocab.strings[key_id]], start, end))
        spans = [s for s in spans if structure.sentence[s.start] == structure.sentence[s.end - 1]]
        return sorted(spans, key=lambda span: (span.start, -span.end))

    def _verdict(self, doc: Doc, span: _Span, structure: _Structure, contexts: set[str]) -> str:
        rule = span.rule
        if not _has_required_context(doc, span, structure, contexts):
            return "missing context: " + " or ".join(rule.requires)
        if _is_cancelled([t.lower_ for t in doc], span, structure):
            return "cancelled by the rule's not_followed_by / not_preceded_by / not_with"
        if _is_negated(doc, span.start, structure):
            return "negated"
        if not rule.in_questions and _is_information_only(doc, span, structure):
            return "information or hypothetical"
        if not rule.allow_past and _is_past_or_resolved(doc, span, structure):
            return "past or resolved"
        return "red flag"

    # -- spelling -----------------------------------------------------------

    def _spelling_corrected(self, doc: Doc) -> Doc:
        """Replace misspelt pattern words, keep everything else; add lemmas."""
        words = [self._correct(token.text) for token in doc]
        fixed = Doc(self.nlp.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
        for _, component in self.nlp.pipeline:
            fixed = component(fixed)
        return fixed

    def _correct(self, word: str) -> str:
        if len(self._corrections) > 100_000:  # bounded memory in a long-running server
            self._corrections.clear()
        if word not in self._corrections:
            self._corrections[word] = (
                word if self._is_known(word) else _closest(word, self._spelling_targets) or word
            )
        return self._corrections[word]

    def _is_known(self, word: str) -> bool:
        """Short, non-alphabetic, pattern or English words are left as typed."""
        if len(word) < 5 or not word.isalpha() or word in self._vocabulary:
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
        return word in CLAUSE_STARTERS - AUXILIARIES - WH_WORDS
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


def _content_start(doc: Doc, start: int, end: int) -> int:
    i = start
    while i < end and (doc[i].lower_ in FILLERS or doc[i].is_punct):
        i += 1
    return i


def _is_question_clause(doc: Doc, start: int, end: int) -> bool:
    """A clause opening with a question word or an inverted auxiliary, or a short '...?'."""
    first = _content_start(doc, start, end)
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


def _bare_mention_is_information(doc: Doc, span: _Span, structure: _Structure) -> bool:
    clause_start, clause_end = structure.clause_range(span.start)
    question = _is_question_clause(doc, clause_start, clause_end)
    if _has_conditional(doc, clause_start, span.start, question):
        return True
    if any(_is_topic_cue(doc, i) for i in range(clause_start, span.start)):
        return True
    if any(doc[i].lower_ in AFTER_TOPIC_CUES for i in range(span.end, clause_end)):
        return True
    if question:
        return not _mentions_own_body(doc, span)
    return _is_topic_question(doc, structure.sentence_range(span.start))


def _is_topic_cue(doc: Doc, i: int) -> bool:
    """'about' marks a topic ('worried about incontinence'), not after 'thinking about'."""
    if doc[i].lower_ not in TOPIC_CUES:
        return False
    previous = doc[i - 1].lemma_ if i > 0 else ""
    return not (doc[i].lower_ in {"about", "of"} and previous in THINKING)


def _mentions_own_body(doc: Doc, span: _Span) -> bool:
    """'How long will the numbness in my groin last?' presupposes the symptom."""
    return any(doc[i].lower_ in POSSESSIVES - {"their"} for i in range(span.start, span.end))


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
    if _is_longstanding(words, (clause_start, clause_end), structure.sentence_range(span.start)):
        return True
    if _past_year(doc, clause_start, clause_end):
        return True
    if _find_phrase(words, ("ruled", "out"), clause_start, clause_end) >= 0:
        return True
    window_end = min(clause_end, span.end + RESOLVED_WINDOW)
    if any(_find_phrase(words, p, span.end, window_end) >= 0 for p in RESOLVED):
        return True
    return _next_clause_resolves(words, span, structure)


def _is_longstanding(words: list[str], clause: tuple[int, int], sentence: tuple[int, int]) -> bool:
    """'I've been incontinent for years' is not new; 'for years and it's getting worse' is."""
    if not any(_find_phrase(words, p, *clause) >= 0 for p in LONGSTANDING):
        return False
    return not RECENT.intersection(words[sentence[0] : sentence[1]])


def _next_clause_resolves(words: list[str], span: _Span, structure: _Structure) -> bool:
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
    return any(_find_phrase(words, p, *window) >= 0 for p in RESOLVED + DISTANT_PAST)


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


def _has_required_context(doc: Doc, span: _Span, structure: _Structure, contexts: set[str]) -> bool:
    """One of the rule's `requires` contexts is in the message (or `self_report` holds)."""
    requires = span.rule.requires
    if not requires or contexts.intersection(requires):
        return True
    return SELF_REPORT in requires and _is_self_report(doc, span, structure)


def _is_self_report(doc: Doc, span: _Span, structure: _Structure) -> bool:
    """The writer's own symptom: 'I have a fever', 'fever since yesterday' (not 'my son has')."""
    clause_start, _ = structure.clause_range(span.start)
    subject = _find_subject(doc, span.start, clause_start)
    if subject is None:
        return True
    someone_else = subject + 1 < len(doc) and doc[subject + 1].lower_ in KIN
    return doc[subject].lower_ in FIRST_PERSON and not someone_else


def _is_cancelled(words: list[str], span: _Span, structure: _Structure) -> bool:
    """The rule's own exceptions: words right after, right before, or in the sentence."""
    rule = span.rule
    if _starts_with_any(words, span.end, rule.not_followed_by):
        return True
    if _ends_with_any(words, span.start, rule.not_preceded_by):
        return True
    sentence = structure.sentence_range(span.start)
    return any(_find_phrase(words, phrase, *sentence) >= 0 for phrase in rule.not_with)


def _blocks_gap(doc: Doc, i: int) -> bool:
    """A gap may not step over a negation ("legs are not numb") or a new clause ("but")."""
    return doc[i].lower_ in CONTRAST or _is_negation_cue(doc, i)


def _check_pattern(pattern: list[dict], key: str) -> None:
    """Catch YAML surprises early: unquoted no/yes/on/off become booleans."""
    for token in pattern:
        for attr, value in token.items():
            values = value.get("IN", []) if isinstance(value, dict) else [value]
            if attr in ("LOWER", "LEMMA") and not all(isinstance(v, str) for v in values):
                raise ValueError(
                    f'{key}: non-text value in {token!r} (quote words like "no", "on")'
                )


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
    """The single vocabulary word within 1 edit (2 for long words), if any.

    Ties go to a word of the same length (a swapped or mistyped letter: "bowles" is
    "bowels", not "bowls"); a remaining tie is left uncorrected.
    """
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
    if len(best) > 1:
        best = [candidate for candidate in best if len(candidate) == len(word)]
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
