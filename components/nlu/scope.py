"""Rasa graph component: health questions outside the therapy get `out_of_scope`.

The intent classifier leaves the concepts it found on the message
(`concepts.py`). A message that names nothing of this assistant's domain (stem
cells, the back and spine, spinal conditions, other spinal injections) is about
another topic when it names another health topic (diabetes, a knee, a medicine), or
when it is long and names none of the words the therapy shares with other topics
(treatment, injection, scan, cost...): it then gets `out_of_scope`, whatever therapy
intent the classifier guessed, and "not sure" (`nlu_fallback`) becomes `out_of_scope`
too. Short messages without domain words ("is it safe?", "how much is it?") are about
the therapy the conversation is on, and are left alone. Small talk, requests for a person and the
safety intents are never touched.
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

from components.nlu.concepts import CONCEPTS_KEY
from components.nlu.intent_override import override_intent, predicted_intent

OUT_OF_SCOPE = "out_of_scope"
DOMAIN_CONCEPTS = (
    "cx_stem_cells cx_back cx_condition cx_tissue cx_body_region cx_other_injections cx_cell_source"
).split()
# Words of the therapy that other topics share ("treatment", "injection", "scan"): in
# the domain unless another health topic is named.
SHARED_CONCEPTS = (
    "cx_treatment cx_injection cx_imaging cx_placement cx_mechanism cx_efficacy cx_risk"
    " cx_evidence cx_surgery cx_conventional cx_candidacy cx_recovery cx_sessions cx_cost"
    " cx_insurance cx_provider cx_abroad cx_anaesthesia cx_preparation"
).split()
UNTOUCHED_INTENTS = (
    "greet goodbye thank ask_bot_identity request_human other_language out_of_scope red_flag inform"
).split()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ScopeGuard(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # concept-token prefixes (see content/lexicon.yml) that put a message in the domain
            "domain_concepts": DOMAIN_CONCEPTS,
            "shared_concepts": SHARED_CONCEPTS,
            "other_topic_concept": "cx_other_health",
            "untouched_intents": UNTOUCHED_INTENTS,
            "long_message_words": 12,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ScopeGuard:
        return cls(config)

    def is_off_topic(self, text: str, concepts: list[str]) -> bool:
        if any(tag.startswith(tuple(self.config["domain_concepts"])) for tag in concepts):
            return False
        other_topic = self.config["other_topic_concept"] in concepts
        if other_topic:
            return True
        if any(tag.startswith(tuple(self.config["shared_concepts"])) for tag in concepts):
            return False
        return len(text.split()) >= self.config["long_message_words"]

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            concepts = message.get(CONCEPTS_KEY)
            intent = predicted_intent(message)
            if concepts is None or intent is None or intent in self.config["untouched_intents"]:
                continue
            if self.is_off_topic(message.get(TEXT) or "", concepts):
                override_intent(message, OUT_OF_SCOPE)
        return messages
