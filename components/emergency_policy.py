"""Dialogue policy: a red flag gets the emergency reply first, and nothing after it.

The rule in data/rules/safety.yml says the same, but a rule only matches a
conversation in its usual shape; this policy needs nothing but the intent, so the
reply goes out even when, say, the session start failed with the action server
down. It outranks every other policy (priority) and predicts a domain response,
which needs no action server.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from components.tracker_events import events_since_patient


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class EmergencyPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": 8, "intent": "red_flag", "response": "utter_emergency"}

    def __init__(self, config: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__({**self.get_default_config(), **config}, *args, **kwargs)

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        if (
            tracker.latest_message is None
            or tracker.latest_message.intent.get("name") != self.config["intent"]
        ):
            return self._prediction(probabilities)
        actions_since_patient = [
            e.action_name for e in events_since_patient(tracker) if isinstance(e, ActionExecuted)
        ]
        if self.config["response"] in actions_since_patient:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        else:
            probabilities[domain.index_for_action(self.config["response"])] = 1.0
        return self._prediction(probabilities)
