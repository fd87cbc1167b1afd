"""Dialogue policy: an apology with the clinic's phone when the action server fails.

Rasa logs a failed custom action (server down, error, or too slow) and carries on
without a word to the patient, and without the action's events. Every answer sets
the `answer_id` slot, so a watched action that ran since the patient's message
without setting it has failed: this policy then predicts a domain response,
which needs no action server (a rule then listens). The clinic's phone is read
from `content/clinic.yml` at training time and set as a slot with the prediction.

While the conversation store cannot be reached (components/runtime/store_health.py)
every patient message gets `utter_store_unavailable` instead of an answer that would
be lost. How long Rasa waits for the action server is set by components/runtime/.
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
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from clinic.settings import load_settings, settings_path
from components.content_fingerprint import files_fingerprint
from components.policies.tracker_events import events_since_patient
from components.runtime import store_health

SETTINGS_FILE = "clinic_phone.json"
ANSWER_ID_SLOT = "answer_id"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class AnswerServiceFallbackPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Above RulePolicy, which predicts `action_listen` after any answer.
            POLICY_PRIORITY: RULE_POLICY_PRIORITY + 1,
            "clinic_file": None,  # default: content/clinic.yml (or CLINIC_CONTENT_DIR)
            "watched_actions": ["action_answer", "action_clarify"],
            "response": "utter_answer_unavailable",
            "store_response": "utter_store_unavailable",
            "safety_intent": "red_flag",
            "answer_id": "fallback_unavailable",
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return files_fingerprint(_clinic_file({**cls.get_default_config(), **config}))

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        clinic_phone: str | None = None,
        **kwargs: Any,
    ) -> None:
        config = {**self.get_default_config(), **config}
        super().__init__(config, model_storage, resource, execution_context, **kwargs)
        self.clinic_phone = clinic_phone

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        self.clinic_phone = load_settings(_clinic_file(self.config)).phone
        with self._model_storage.write_to(self._resource) as directory:
            (directory / SETTINGS_FILE).write_text(json.dumps({"phone": self.clinic_phone}))
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> AnswerServiceFallbackPolicy:
        with model_storage.read_from(resource) as directory:
            phone = json.loads((directory / SETTINGS_FILE).read_text())["phone"]
        return cls(config, model_storage, resource, execution_context, clinic_phone=phone)

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        since_patient = events_since_patient(tracker)
        actions = [e.action_name for e in since_patient if isinstance(e, ActionExecuted)]
        last_action = actions[0] if actions else None
        answered = any(isinstance(e, SlotSet) and e.key == ANSWER_ID_SLOT for e in since_patient)
        if last_action in self.config["watched_actions"] and not answered:
            return self._apology(domain, probabilities, self.config["response"])
        if self._store_is_down(tracker, actions):
            return self._apology(domain, probabilities, self.config["store_response"])
        return self._prediction(probabilities)

    def _store_is_down(self, tracker: DialogueStateTracker, actions: list[str | None]) -> bool:
        """The store failed: apologise once in this turn (after a safety notice, if any;
        the emergency reply is SafetyPolicy's and goes first, with nothing after it)."""
        if not store_health.is_down() or tracker.latest_message is None:
            return False
        if tracker.latest_message.intent.get("name") == self.config["safety_intent"]:
            return False
        done = {self.config["store_response"], *self.config["watched_actions"]}
        return not done.intersection(a for a in actions if a)

    def _apology(
        self, domain: Domain, probabilities: list[float], response: str
    ) -> PolicyPrediction:
        probabilities[domain.index_for_action(response)] = 1.0
        events = [
            SlotSet("clinic_phone", self.clinic_phone),
            SlotSet(ANSWER_ID_SLOT, self.config["answer_id"]),
        ]
        return self._prediction(probabilities, events=events)


def _clinic_file(config: dict[str, Any]) -> str:
    return str(config.get("clinic_file") or settings_path())
