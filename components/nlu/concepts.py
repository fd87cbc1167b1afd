"""Concept normalisation for the intent classifier, and the focus of a long message.

`ConceptTagger` finds the lexicon's concepts (`content/lexicon.yml`, `concepts:`)
and medical terms in a message, so that "is the jab worth the money?" and "does the
injection work?" share the tokens `cx_injection` and `cx_efficacy`. Typos in long
words are tolerated as in the medical-term finder.

`focus` picks the part of a message that asks: patients tell a long story and put
the question at the end or in the middle. The question sentences, or else the last
sentence, are what the classifier weighs again on their own.
"""

from __future__ import annotations

import re

import spacy
from spacy.matcher import PhraseMatcher

from components.nlu.medical_terms_finder import surface_forms
from components.nlu.spelling import OneEditIndex

MIN_FUZZY_LENGTH = 6
MAX_CACHED_TEXTS = 1_000
TOKEN_PREFIX = "cx_"
# Message key under which the intent classifier leaves the concepts it found.
CONCEPTS_KEY = "concepts"
SENTENCE_SPLIT = re.compile(r"(?<=[.!?\n])\s+|\n+")
QUESTION_START = re.compile(
    r"^\W*(what|whats|what's|how|why|when|where|which|who|whom|is|are|was|were|do|does|did|"
    r"can|could|will|would|should|shall|may|might|have|has|any|anyone|has anyone)\b",
    re.IGNORECASE,
)
FOCUS_SENTENCES = 2


class ConceptTagger:
    """Finds concepts (and entity types and values) by phrase, plural or near spelling."""

    def __init__(
        self, concepts: dict[str, list[str]], entities: dict[str, dict[str, list[str]]]
    ) -> None:
        self.nlp = spacy.blank("en")
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        single: dict[str, set[str]] = {}
        labels: dict[str, list[str]] = {f"{TOKEN_PREFIX}{name}": p for name, p in concepts.items()}
        for entity, values in entities.items():
            for value, phrases in values.items():
                labels.setdefault(f"{TOKEN_PREFIX}{entity}", []).extend(phrases)
                labels[f"{TOKEN_PREFIX}{entity}_{value}"] = list(phrases)
        for label, phrases in labels.items():
            forms = sorted({form for phrase in phrases for form in surface_forms(str(phrase))})
            self.matcher.add(label, [self.nlp.make_doc(form) for form in forms])
            for form in forms:
                if " " not in form and len(form) >= MIN_FUZZY_LENGTH:
                    single.setdefault(form, set()).add(label)
        self._near = OneEditIndex(single)
        self._cache: dict[str, list[str]] = {}

    def tags(self, text: str) -> list[str]:
        """Concept tokens of `text`, in order of appearance (repeats kept)."""
        if text not in self._cache:
            if len(self._cache) > MAX_CACHED_TEXTS:
                self._cache.clear()
            self._cache[text] = self._tags(text)
        return list(self._cache[text])

    def _tags(self, text: str) -> list[str]:
        doc = self.nlp.make_doc(text.lower())
        found = [(start, self.nlp.vocab.strings[key]) for key, start, _ in self.matcher(doc)]
        matched = {start for start, _ in found}
        for token in doc:
            if token.i in matched or len(token.text) < MIN_FUZZY_LENGTH or not token.is_alpha:
                continue
            found += [(token.i, label) for label in sorted(self._near.labels(token.lower_))]
        return [label for _, label in sorted(found)]

    def augment(self, text: str) -> str:
        """The text followed by its concept tokens."""
        return f"{text} {' '.join(self.tags(text))}"


def sentences(text: str) -> list[str]:
    return [part.strip() for part in SENTENCE_SPLIT.split(text) if part and part.strip()]


def focus(text: str) -> str:
    """The question sentences of a message, else its last sentences; the text if short."""
    parts = sentences(text)
    if len(parts) <= 1:
        return text
    questions = [p for p in parts if p.rstrip().endswith("?") or QUESTION_START.match(p)]
    chosen = questions or parts[-FOCUS_SENTENCES:]
    return " ".join(chosen)
