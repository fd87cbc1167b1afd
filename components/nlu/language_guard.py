"""Rasa graph component: messages in another language get the `other_language` intent.

Runs after the classifiers and before the red-flag detector (which may still
override it). A classifier guess of `other_language` for a message that is clearly
English is replaced by the next-best intent.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from components.nlu.intent_override import demote_intent, override_intent, predicted_intent
from components.nlu.language_rules import is_clearly_english, is_other_language

OTHER_LANGUAGE_INTENT = "other_language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class LanguageGuard(GraphComponent, IntentClassifier):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if is_other_language(text):
                override_intent(message, OTHER_LANGUAGE_INTENT)
            elif predicted_intent(message) == OTHER_LANGUAGE_INTENT and is_clearly_english(text):
                demote_intent(message, OTHER_LANGUAGE_INTENT)
        return messages
