"""Dialogue policy: safety first, in both tiers of the red-flag detector.

- A clear red flag (intent `red_flag`) gets the emergency reply and nothing after it.
- A possible one (a `safety_notice` entity on the message) gets one urgent-care line
  first; then the rule in `data/rules/safety.yml` sends the normal answer.

The rules say the same, but a rule only matches a conversation in its usual shape;
this policy needs nothing but the latest message, so the reply goes out even when,
say, the session start failed with the action server down. It outranks every other
policy and predicts domain responses, which need no action server. The clinic's
emergency number and crisis line are read from the settings at training time and
set as slots with the prediction, so the responses are complete.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.constants import POLICY_PRIORITY, RULE_POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from clinic.settings import load_settings, settings_path
from components.content_fingerprint import files_fingerprint
from components.policies.tracker_events import events_since_patient

NUMBERS_STORED = "emergency_numbers.json"
NUMBER_SLOTS = ("emergency_number", "crisis_line")


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class SafetyPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # above RulePolicy and AnswerServiceFallbackPolicy
            POLICY_PRIORITY: RULE_POLICY_PRIORITY + 2,
            "intent": "red_flag",
            "response": "utter_emergency",
            "notice_entity": "safety_notice",
            "notice_response": "utter_safety_notice",
            "clinic_file": None,  # default: content/clinic.yml (or CLINIC_CONTENT_DIR)
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        numbers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        config = {**self.get_default_config(), **config}
        super().__init__(config, model_storage, resource, execution_context, **kwargs)
        self.numbers = numbers or {}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return files_fingerprint(_clinic_file(config))

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        settings = load_settings(_clinic_file(self.config))
        self.numbers = {slot: settings[slot] for slot in NUMBER_SLOTS}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / NUMBERS_STORED).write_text(json.dumps(self.numbers), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SafetyPolicy:
        with model_storage.read_from(resource) as directory:
            numbers = json.loads((directory / NUMBERS_STORED).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, execution_context, numbers=numbers)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        message = tracker.latest_message
        if message is None:
            return self._prediction(probabilities)
        sent = {
            e.action_name for e in events_since_patient(tracker) if isinstance(e, ActionExecuted)
        }
        if message.intent.get("name") == self.config["intent"]:
            wanted = self.config["response"]
            if wanted in sent:
                wanted = ACTION_LISTEN_NAME
        elif self._has_notice(message.entities) and self.config["notice_response"] not in sent:
            wanted = self.config["notice_response"]
        else:
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(wanted)] = 1.0
        if wanted == ACTION_LISTEN_NAME:
            return self._prediction(probabilities)
        events = [SlotSet(slot, value) for slot, value in self.numbers.items()]
        return self._prediction(probabilities, events=events)

    def _has_notice(self, entities: list[dict[str, Any]]) -> bool:
        return any(e.get("entity") == self.config["notice_entity"] for e in entities)


def _clinic_file(config: dict[str, Any]) -> str:
    return str(config.get("clinic_file") or settings_path())
