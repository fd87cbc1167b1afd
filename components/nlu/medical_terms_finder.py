"""Find the medical terms a patient names, from the lexicon in `content/lexicon.yml`.

A blank English spaCy pipeline with an `entity_ruler` matches every lexicon phrase
on lower-cased tokens; the rule's `id` carries the canonical value, so a synonym
("slipped disc") comes out as its canonical value (`herniated_disc`). Single long
words that are one edit away from a lexicon word ("herniatd") are matched too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.util import filter_spans

from clinic.lexicon import read_entities
from components.nlu.spelling import OneEditIndex

MIN_FUZZY_LENGTH = 6


@dataclass(frozen=True)
class MedicalTerm:
    entity: str
    value: str
    text: str
    start: int
    end: int


def read_lexicon(path: Path) -> dict[str, dict[str, list[str]]]:
    """The entity types of the lexicon (its `concepts` are for the intent classifier)."""
    return read_entities(path)


def surface_forms(phrase: str) -> set[str]:
    """The phrase in lower case and its plural."""
    return _surface_forms(phrase)


def _surface_forms(phrase: str) -> set[str]:
    phrase = phrase.strip().lower()
    forms = {phrase}
    if phrase.endswith(("s", "x", "sh", "ch")):
        forms.add(phrase + "es")
    elif phrase.endswith("y") and len(phrase) > 3:
        forms.add(phrase[:-1] + "ies")
    else:
        forms.add(phrase + "s")
    return forms


def ruler_patterns(lexicon: dict[str, dict[str, list[str]]]) -> list[dict[str, Any]]:
    patterns = []
    for entity, values in lexicon.items():
        for value, phrases in values.items():
            for phrase in phrases:
                for form in sorted(_surface_forms(phrase)):
                    patterns.append({"label": entity, "pattern": form, "id": value})
    return patterns


def build_pipeline(lexicon: dict[str, dict[str, list[str]]]) -> Language:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(ruler_patterns(lexicon))
    return nlp


class MedicalTermFinder:
    """Matches lexicon terms in text; holds one spaCy pipeline."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        ruler = nlp.get_pipe("entity_ruler")
        self._single_words: dict[str, tuple[str, str]] = {}
        for pattern in ruler.patterns:
            word = pattern["pattern"]
            if isinstance(word, str) and " " not in word and len(word) >= MIN_FUZZY_LENGTH:
                self._single_words.setdefault(word, (pattern["label"], pattern["id"]))
        self._near = OneEditIndex({word: set() for word in self._single_words})

    @classmethod
    def from_lexicon(cls, lexicon: dict[str, dict[str, list[str]]]) -> MedicalTermFinder:
        return cls(build_pipeline(lexicon))

    def find(self, text: str) -> list[MedicalTerm]:
        doc = self.nlp(text)
        spans = list(doc.ents)
        covered = {token.i for span in spans for token in span}
        for token in doc:
            if token.i in covered or len(token.text) < MIN_FUZZY_LENGTH or not token.is_alpha:
                continue
            match = self._fuzzy_match(token.lower_)
            if match:
                label, value = match
                spans.append(doc.char_span(token.idx, token.idx + len(token), label, kb_id=value))
        terms = []
        for span in sorted(filter_spans(spans), key=lambda s: s.start_char):
            value = span.ent_id_ or span.kb_id_
            terms.append(MedicalTerm(span.label_, value, span.text, span.start_char, span.end_char))
        return terms

    def _fuzzy_match(self, word: str) -> tuple[str, str] | None:
        near = self._near.near(word)
        return self._single_words[near[0]] if near else None
