"""Clinical concepts and their combinations: a symptom and a place in one clause.

Patients name a symptom in many more ways than a list of exact phrases can hold
("lost all feeling", "can't feel", "numb", "dead", "pins and needles") and put the
body part anywhere near it ("my bum and the inside of my thighs have gone numb").
So `content/red_flags.yml` lists concepts (words and phrases for one idea) and each
category names the combinations that make a red flag, for example
`[sensation_loss, saddle_area]`. A combination is found when every concept of it
occurs in one sentence, close together and not across "but".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from components.nlu.red_flags.clauses import Structure
from components.nlu.red_flags.filters import is_negation_cue
from components.nlu.red_flags.patterns import normalise
from components.nlu.red_flags.vocabulary import (
    CONTRAST,
    DEMONSTRATIVES,
    GENERIC_SUBJECTS,
    KIN,
    PERSONAL,
)

SUBJECTS = PERSONAL | KIN | GENERIC_SUBJECTS | DEMONSTRATIVES

MAX_COMBINATION_WIDTH = 18  # tokens from the first concept to the last


@dataclass(frozen=True)
class Occurrence:
    concept: str
    start: int  # token index
    end: int  # exclusive


class ConceptIndex:
    """Finds every concept of the patterns file in a doc (by word, lemma or phrase)."""

    def __init__(self, nlp: Language, concepts: dict[str, Any]) -> None:
        self.names = tuple(concepts)
        self._by_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._by_lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.words: set[str] = set()
        for name, spec in concepts.items():
            if not isinstance(spec, dict) or not (spec.get("words") or spec.get("phrases")):
                raise ValueError(f"concept '{name}' needs `words` and/or `phrases`")
            entries = [str(e) for e in (spec.get("words") or []) + (spec.get("phrases") or [])]
            self._by_lower.add(name, [nlp.make_doc(normalise(e)) for e in entries])
            # Other forms of base words ("leg" matches "legs"), but a plural stays plural.
            single = [nlp(normalise(str(w))) for w in spec.get("words") or [] if " " not in str(w)]
            base = [doc for doc in single if len(doc) == 1 and doc[0].lemma_ == doc[0].lower_]
            if base:
                self._by_lemma.add(name, base)
            self.words.update(w for e in entries for w in normalise(e).split() if w.isalpha())

    def find(self, doc: Doc) -> list[Occurrence]:
        """Every concept occurrence; one inside a longer one of another concept is dropped
        ("toilet" in "toilet paper" is the saddle area, not the bladder)."""
        found = {
            Occurrence(doc.vocab.strings[key], start, end)
            for matcher in (self._by_lower, self._by_lemma)
            for key, start, end in matcher(doc)
        }
        kept = [
            o
            for o in found
            if not any(
                other.concept != o.concept
                and other.start <= o.start
                and o.end <= other.end
                and other.end - other.start > o.end - o.start
                for other in found
            )
        ]
        return sorted(kept, key=lambda o: (o.start, -o.end, o.concept))


def combinations_in(
    doc: Doc,
    occurrences: Iterable[Occurrence],
    concepts: tuple[str, ...],
    structure: Structure,
) -> list[tuple[int, int, int]]:
    """(start, end, end of the first concept) of each place where every concept of
    `concepts` occurs close together in one sentence."""
    by_concept: dict[str, list[Occurrence]] = {name: [] for name in concepts}
    for occurrence in occurrences:
        if occurrence.concept in by_concept:
            by_concept[occurrence.concept].append(occurrence)
    if not all(by_concept.values()):
        return []
    first, *others = concepts
    spans = []
    for anchor in by_concept[first]:
        chosen = [anchor]
        for name in others:
            nearest = _nearest(anchor, by_concept[name], chosen, doc, structure)
            if nearest is None:
                break
            chosen.append(nearest)
        else:
            spans.append(
                (
                    min(o.start for o in chosen),
                    max(o.end for o in chosen),
                    min(o.end for o in chosen),
                )
            )
    return sorted(set(spans))


def _nearest(
    anchor: Occurrence,
    candidates: list[Occurrence],
    chosen: list[Occurrence],
    doc: Doc,
    structure: Structure,
) -> Occurrence | None:
    best: Occurrence | None = None
    best_distance = MAX_COMBINATION_WIDTH + 1
    for candidate in candidates:
        if any(_overlaps(candidate, other) for other in chosen):
            continue
        start = min(candidate.start, *(o.start for o in chosen))
        end = max(candidate.end, *(o.end for o in chosen))
        if end - start > MAX_COMBINATION_WIDTH:
            continue
        if structure.sentence[start] != structure.sentence[end - 1]:
            continue
        if any(_starts_new_clause(doc, i) for i in range(start, end)):
            continue
        covered = {i for o in (candidate, *chosen) for i in range(o.start, o.end)}
        if any(is_negation_cue(doc, i) for i in range(start, end) if i not in covered):
            continue  # "my legs are not numb"
        distance = abs(candidate.start - anchor.start)
        if distance < best_distance:
            best, best_distance = candidate, distance
    return best


def _starts_new_clause(doc: Doc, i: int) -> bool:
    """'but my legs are fine' starts a new clause; 'to the toilet but nothing came' does not."""
    if doc[i].lower_ not in CONTRAST:
        return False
    following = doc[i + 1].lower_ if i + 1 < len(doc) else ""
    return following in SUBJECTS or following in {",", "."}


def _overlaps(a: Occurrence, b: Occurrence) -> bool:
    return a.start < b.end and b.start < a.end
