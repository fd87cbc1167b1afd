"""Rasa graph component: intents from a calibrated linear model with domain features.

It reads the message text itself (no featurizer before it) and sees, side by side:
- word 1-2-grams of the text with its concept tokens (`concepts.py`: "jab", "shot"
  and "injection" all add `cx_injection`; "Medicare" and "cover" add `cx_insurance`);
- character 2-5-grams inside word boundaries (robust to typos);
- the same word features of the message's *focus*: its question sentences, or its
  last sentences, so that a long story does not drown the question.
A linear SVM per intent with balanced class weights, probabilities calibrated by
cross-validation (so FallbackClassifier's threshold keeps its meaning). Training
takes seconds and loading a fraction of one: no TensorFlow graph to build.

The lexicon is stored in the model with the fitted model (joblib, i.e. pickle:
load only models you trained yourself); `fingerprint_addon` retrains it when
`content/lexicon.yml` changes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import joblib
import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from clinic.lexicon import lexicon_path, read_concepts, read_entities
from components.content_fingerprint import files_fingerprint
from components.nlu.concepts import CONCEPTS_KEY, ConceptTagger, focus
from components.nlu.linear_inference import FastCalibratedLinear, FastTfidf

MODEL_FILE = "intent_classifier.joblib"
LEXICON_STORED = "lexicon.json"


class IntentFeatures:
    """Sparse features of a list of texts (see the module docstring)."""

    def __init__(self, tagger: ConceptTagger) -> None:
        self.tagger = tagger
        # n-grams seen in one example only are left out: as accurate (group
        # cross-validation over the real train split's pages), and the model is
        # smaller (47 -> 29 MB with the fifth round of real messages)
        self.words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
        self.chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
        )
        self.focus_words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
        self._fast: list[FastTfidf] | None = None

    def _views(self, texts: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
        lowered = [t.lower() for t in texts]
        whole = [self.tagger.augment(t) for t in lowered]
        focused = [self.tagger.augment(focus(t)) for t in lowered]
        return whole, lowered, focused

    def fit_transform(self, texts: Sequence[str]) -> scipy.sparse.csr_matrix:
        whole, raw, focused = self._views(texts)
        return scipy.sparse.hstack(
            [
                self.words.fit_transform(whole),
                self.chars.fit_transform(raw),
                self.focus_words.fit_transform(focused),
            ]
        ).tocsr()

    def transform(self, texts: Sequence[str]) -> scipy.sparse.csr_matrix:
        """The same features as `fit_transform` gives, computed fast (`linear_inference`)."""
        if self._fast is None:
            self._fast = [FastTfidf(v) for v in (self.words, self.chars, self.focus_words)]
        words, chars, focus_words = self._fast
        whole, raw, focused = self._views(texts)
        return scipy.sparse.hstack(
            [words.transform(whole), chars.transform(raw), focus_words.transform(focused)]
        ).tocsr()

    def __getstate__(self) -> dict[str, Any]:
        # The tagger holds spaCy objects: it is rebuilt from the stored lexicon; the fast
        # copies are rebuilt from the vectorizers.
        return {k: v for k, v in self.__dict__.items() if k not in ("tagger", "_fast")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._fast = None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Predicts the intent and a confidence ranking from the message text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 1.0,
            "folds": 5,
            "random_seed": 0,
            "ranking_length": 10,
            "lexicon_file": None,  # default: content/lexicon.yml (or CLINIC_CONTENT_DIR)
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn", "spacy"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return files_fingerprint(config.get("lexicon_file") or lexicon_path())

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        features: IntentFeatures | None = None,
        classifier: CalibratedClassifierCV | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._features = features
        self._classifier = classifier
        self._fast_classifier = FastCalibratedLinear(classifier) if classifier else None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        lexicon = {
            "concepts": read_concepts(self._config["lexicon_file"]),
            "entities": read_entities(self._config["lexicon_file"]),
        }
        # sorted: the same data gives the same model whatever order the files are read in
        # (folds and the SVM's coordinate descent depend on the order)
        examples = sorted(
            (e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)),
            key=lambda e: (e.get(INTENT), e.get(TEXT)),
        )
        texts = [e.get(TEXT) for e in examples]
        intents = np.array([e.get(INTENT) for e in examples])
        self._features = IntentFeatures(ConceptTagger(**lexicon))
        folds = StratifiedKFold(
            self._config["folds"], shuffle=True, random_state=self._config["random_seed"]
        )
        svm = LinearSVC(
            C=self._config["C"], class_weight="balanced", random_state=self._config["random_seed"]
        )
        self._classifier = CalibratedClassifierCV(svm, cv=folds)
        self._classifier.fit(self._features.fit_transform(texts), intents)
        self._fast_classifier = FastCalibratedLinear(self._classifier)
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump((self._features, self._classifier), directory / MODEL_FILE)
            (directory / LEXICON_STORED).write_text(json.dumps(lexicon), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        with model_storage.read_from(resource) as directory:
            features, classifier = joblib.load(directory / MODEL_FILE)
            lexicon = json.loads((directory / LEXICON_STORED).read_text(encoding="utf-8"))
        features.tagger = ConceptTagger(**lexicon)
        return cls(config, model_storage, resource, features, classifier)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._fast_classifier is None or self._features is None:
            return messages
        texts = [m.get(TEXT) or "" for m in messages]
        probabilities = self._fast_classifier.predict_proba(self._features.transform(texts))
        intents = self._fast_classifier.classes_
        for message, row in zip(messages, probabilities, strict=True):
            best = np.argsort(-row)[: self._config["ranking_length"]]
            ranking = [
                {INTENT_NAME_KEY: str(intents[i]), "confidence": float(row[i])} for i in best
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            # the tagger keeps its last results: this reuses the features' work
            message.set(CONCEPTS_KEY, self._features.tagger.tags((message.get(TEXT) or "").lower()))
        return messages
