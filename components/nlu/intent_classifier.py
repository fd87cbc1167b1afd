"""Rasa graph component: intents from a calibrated linear model over word and character n-grams.

Replaces DIETClassifier (and the featurizers only DIET used). It reads the message
text itself: TF-IDF of word 1-2-grams and of character 2-5-grams inside word
boundaries (robust to typos), a linear SVM per intent with balanced class weights,
and probabilities calibrated by 5-fold cross-validation (so FallbackClassifier's
threshold keeps its meaning). Training takes about a second and loading a fraction of
one: no TensorFlow graph to build, which is what made the server slow to start.

The fitted model is stored with joblib (pickle) inside the trained model archive:
load only models you trained yourself.
"""

from __future__ import annotations

from typing import Any

import joblib
import numpy as np
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
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.svm import LinearSVC

MODEL_FILE = "linear_intents.joblib"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Predicts the intent and a confidence ranking from the message text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 1.0, "folds": 5, "random_seed": 0, "ranking_length": 10}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Pipeline | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

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
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        texts = [e.get(TEXT).lower() for e in examples]
        intents = np.array([e.get(INTENT) for e in examples])
        features = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        )
        folds = StratifiedKFold(
            self._config["folds"], shuffle=True, random_state=self._config["random_seed"]
        )
        svm = LinearSVC(C=self._config["C"], class_weight="balanced")
        self._model = make_pipeline(features, CalibratedClassifierCV(svm, cv=folds))
        self._model.fit(texts, intents)
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self._model, directory / MODEL_FILE)
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
            model = joblib.load(directory / MODEL_FILE)
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None:
            return messages
        probabilities = self._model.predict_proba([(m.get(TEXT) or "").lower() for m in messages])
        intents = self._model.classes_
        for message, row in zip(messages, probabilities, strict=True):
            best = np.argsort(-row)[: self._config["ranking_length"]]
            ranking = [
                {INTENT_NAME_KEY: str(intents[i]), "confidence": float(row[i])} for i in best
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
