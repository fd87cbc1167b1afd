"""Tolerating patients' misspellings: edit distances and a word corrector.

Used by the red-flag matcher and the medical-term finder alike. A word is only
corrected when it is not an English word itself ("bowles" -> "bowels", but "bowls"
stays), so correction cannot turn an ordinary word into a symptom.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from spacy.language import Language

MAX_CACHED_CORRECTIONS = 100_000  # bounded memory in a long-running server


def within_one_edit(a: str, b: str) -> bool:
    """True when `a` and `b` differ by at most one insertion, deletion, substitution or swap."""
    return abs(len(a) - len(b)) <= 1 and edit_distance(a, b, 1) <= 1


def edit_distance(a: str, b: str, limit: int) -> int:
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


def closest(word: str, vocabulary: Iterable[str]) -> str | None:
    """The single vocabulary word within 1 edit (2 for words of 9+ letters), if any.

    Ties go to a word of the same length (a swapped or mistyped letter: "bowles" is
    "bowels", not "bowls"); a remaining tie is left uncorrected.
    """
    limit = 2 if len(word) >= 9 else 1
    best: list[str] = []
    best_distance = limit + 1
    for candidate in vocabulary:
        if abs(len(candidate) - len(word)) > limit:
            continue
        distance = edit_distance(word, candidate, limit)
        if distance < best_distance:
            best, best_distance = [candidate], distance
        elif distance == best_distance:
            best.append(candidate)
    if len(best) > 1:
        best = [candidate for candidate in best if len(candidate) == len(word)]
    return best[0] if len(best) == 1 else None


@lru_cache(maxsize=1)
def english_dictionary() -> frozenset[str]:
    """English nouns, verbs, adjectives and adverbs (spacy-lookups-data's lemma index)."""
    from spacy.lookups import load_lookups

    index = load_lookups("en", ["lemma_index"]).get_table("lemma_index")
    return frozenset(word for part in ("noun", "verb", "adj", "adv") for word in index[part])


def lemma_lookup(nlp: Language) -> Any:
    """The lookup lemmatizer's table: its keys are inflected English words."""
    if "lemmatizer" not in nlp.pipe_names:
        return None
    lookups = nlp.get_pipe("lemmatizer").lookups
    return lookups.get_table("lemma_lookup") if "lemma_lookup" in lookups.tables else None


class OneEditIndex:
    """Finds the known words within one edit of a word without comparing it to all of them.

    Every known word is stored under itself and under each string made by deleting one
    of its letters; a word within one insertion, deletion, substitution or swap of a
    known word shares one of those keys with it (the "symmetric delete" method).
    """

    def __init__(self, words: dict[str, set[str]]) -> None:
        self._labels = words
        self._index: dict[str, set[str]] = {}
        for word in words:
            for key in self._keys(word):
                self._index.setdefault(key, set()).add(word)
        self._cache: dict[str, tuple[str, ...]] = {}

    @staticmethod
    def _keys(word: str) -> set[str]:
        return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}

    def near(self, word: str) -> tuple[str, ...]:
        """Known words within one edit of `word`, in a stable order."""
        if word not in self._cache:
            if len(self._cache) > MAX_CACHED_CORRECTIONS:
                self._cache.clear()
            candidates = {w for key in self._keys(word) for w in self._index.get(key, ())}
            self._cache[word] = tuple(sorted(w for w in candidates if within_one_edit(word, w)))
        return self._cache[word]

    def labels(self, word: str) -> set[str]:
        """The labels of the known words near `word` (the first one's, as before)."""
        near = self.near(word)
        return self._labels[near[0]] if near else set()


class SpellingCorrector:
    """Corrects misspelt words towards a target vocabulary, leaving known words alone."""

    def __init__(self, targets: Iterable[str], nlp: Language, min_length: int = 5) -> None:
        self.targets = frozenset(targets)
        self._candidates = tuple(sorted(w for w in self.targets if len(w) >= 4))
        self._lookup = lemma_lookup(nlp)
        self._min_length = min_length
        self._cache: dict[str, str] = {}
        english_dictionary()  # load now, not on the first patient message

    def correct(self, word: str) -> str:
        if len(self._cache) > MAX_CACHED_CORRECTIONS:
            self._cache.clear()
        if word not in self._cache:
            self._cache[word] = (
                word if self.is_known(word) else closest(word, self._candidates) or word
            )
        return self._cache[word]

    def is_known(self, word: str) -> bool:
        """Short, non-alphabetic, target or English words are left as typed."""
        if len(word) < self._min_length or not word.isalpha() or word in self.targets:
            return True
        return word in english_dictionary() or (self._lookup is not None and word in self._lookup)
