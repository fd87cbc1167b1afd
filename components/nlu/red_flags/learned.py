"""A learned red-flag classifier, next to the rules: it catches wordings they lack.

Trained on the `red_flag` examples of `data/nlu/` (each with its category in the
example's metadata) against every other example, many of which are near-misses
(negated, long past, idioms, general questions). Features: word 1-2-grams and
character 3-5-grams of the text, the red-flag concepts found in it (`concepts.py`),
each marked when a negation precedes it in its clause ("no numbness in my groin"
and "numbness in my groin" look different), and the rules' verdict on each
candidate (reported, negated, past, a question...), so that it learns where the
rules' reading of time and negation is right and where a story says otherwise.

A message is scored whole. Scoring each sentence of a long story as well (and taking
the highest) was tried: cut from its story, a survivor's sentence about an emergency
years ago reads as one happening now, and on real messages (group cross-validation
over the source pages of the train split) it raised more false alarms than it found
red flags. The rules still go sentence by sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from spacy.language import Language

from components.nlu.linear_inference import FastTextPipeline
from components.nlu.red_flags.clauses import Structure
from components.nlu.red_flags.filters import is_negated
from components.nlu.red_flags.matcher import RedFlagMatcher
from components.nlu.red_flags.patterns import normalise

VERDICT_TOKENS = {
    "red flag": "report",
    "information or hypothetical": "question",
    "unclear report": "unclear",
    "negated": "negated",
    "past or resolved": "past",
    "missing context": "nocontext",
    "cancelled by the rule's not_followed_by / not_preceded_by / not_with": "cancelled",
}


@dataclass(frozen=True)
class LearnedVerdict:
    probability: float
    category: str | None


class LearnedRedFlags:
    """Probability that a message reports a red flag, and its most likely category."""

    def __init__(
        self,
        matcher: RedFlagMatcher,
        detector: Pipeline | None = None,
        categoriser: Pipeline | None = None,
    ) -> None:
        self.matcher = matcher
        self.nlp: Language = matcher.nlp
        self.concepts = matcher.concepts
        self.detector = detector
        self.categoriser = categoriser
        self._fast_detector: FastTextPipeline | None = None
        self._fast_categoriser: FastTextPipeline | None = None

    # -- features -----------------------------------------------------------

    def marked_text(self, text: str, candidates: list | None = None) -> str:
        """The text plus one token per concept found (`not_` when negated in its clause)
        and per verdict of the rules (`candidates`: `RedFlagMatcher.explain(text)`)."""
        doc = self.nlp(normalise(text))
        structure = Structure(doc)
        marks = []
        for occurrence in self.concepts.find(doc):
            negated = is_negated(doc, occurrence.start, structure)
            marks.append(("not_" if negated else "") + "concept_" + occurrence.concept)
        for match, verdict in self.matcher.explain(text) if candidates is None else candidates:
            reading = VERDICT_TOKENS.get(verdict.split(":")[0], "other")
            marks += [f"verdict_{reading}", f"verdict_{match.category}_{reading}"]
        return doc.text + " " + " ".join(marks)

    # -- training -----------------------------------------------------------

    def fit(self, texts: Sequence[str], categories: Sequence[str | None]) -> LearnedRedFlags:
        """`categories[i]` is the red-flag category of `texts[i]`, or None for a non-flag."""
        marked = [self.marked_text(t) for t in texts]
        labels = np.array([c is not None for c in categories])
        if labels.all() or not labels.any():
            raise ValueError("the red-flag classifier needs both red flags and other messages")
        self.detector = _pipeline(class_weight="balanced").fit(marked, labels)
        self._fast_detector = self._fast_categoriser = None
        positives = [(m, c) for m, c in zip(marked, categories, strict=True) if c is not None]
        if len({c for _, c in positives}) > 1:
            self.categoriser = _pipeline(class_weight=None).fit(
                [m for m, _ in positives], [c for _, c in positives]
            )
        else:
            self.categoriser = None
            self._only_category = positives[0][1]
        return self

    # -- inference ----------------------------------------------------------

    def predict(
        self, text: str, candidates: list | None = None, category_from: float = 0.0
    ) -> LearnedVerdict:
        """`candidates`: the rules' `explain(text)`, when the caller has it already. The
        category is worked out only from `category_from` (a message below it raises no
        flag, and most messages are below it: this keeps a reply fast)."""
        if self.detector is None:
            return LearnedVerdict(0.0, None)
        if self._fast_detector is None:
            self._fast_detector = FastTextPipeline(self.detector)
        marked = [self.marked_text(text, candidates)]
        flag_column = list(self._fast_detector.classes_).index(True)
        probability = float(self._fast_detector.predict_proba(marked)[0, flag_column])
        if probability < category_from:
            return LearnedVerdict(probability, None)
        if self.categoriser is None:
            return LearnedVerdict(probability, getattr(self, "_only_category", None))
        if self._fast_categoriser is None:
            self._fast_categoriser = FastTextPipeline(self.categoriser)
        return LearnedVerdict(probability, str(self._fast_categoriser.predict(marked)[0]))


def _pipeline(class_weight: str | None) -> Pipeline:
    features = make_union(
        # min_df 2: as good in cross-validation, half the features (a smaller model)
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2),
    )
    classifier = LogisticRegression(C=1.0, class_weight=class_weight, max_iter=2000)
    return make_pipeline(features, classifier)
