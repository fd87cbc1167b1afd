"""How the Rasa server calls the action server: timeout and a cached answer check.

Rasa 3.6 has no setting for either, so this component, named in config.yml, sets
them when the model is loaded (and when training builds the graph):

- **timeout**: Rasa waits up to five minutes for a custom action
  (`rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT`); a patient should get the
  answer-service apology much sooner (`action_timeout_s`).
- **answer check**: Rasa checks each action response with `jsonschema.validate(result,
  schema)`, which first validates the constant schema against the JSON-Schema
  meta-schema. With jsonschema 4.17 that costs about 20 ms of CPU per call, half of
  what the Rasa server spent on a message (bench/README.md). One validator, checked
  once, is kept instead. Each event of the response must match exactly one of the
  schema's `oneOf` event shapes, and these differ by the constant of their `event`
  field: trying all 23 shapes on every event still cost 1.3 to 2.5 ms a response, so
  each event is checked against the one shape its `event` names (the same verdict,
  since no other shape can match). A response that fails still goes through Rasa's
  own check, so the error raised and its message are unchanged.

It never predicts anything: it is a policy only so that it is loaded with the others.
"""

from __future__ import annotations

from typing import Any

import rasa.core.actions.action
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_POLICY_PRIORITY, POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

_rasa_check = RemoteAction._validate_action_result


class ResponseCheck:
    """Is an action server's response valid under Rasa's response schema?"""

    def __init__(self, schema: dict[str, Any]) -> None:
        validator_class = validator_for(schema)
        validator_class.check_schema(schema)
        self.whole = validator_class(schema)
        self.by_event: dict[str, Any] | None = None
        items = schema.get("properties", {}).get("events", {}).get("items", {})
        shapes = items.get("oneOf") or []
        names = [shape.get("properties", {}).get("event", {}).get("const") for shape in shapes]
        if shapes and all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
            without_shapes = {**items}
            del without_shapes["oneOf"]
            events = {**schema["properties"]["events"], "items": without_shapes}
            outline = {**schema, "properties": {**schema["properties"], "events": events}}
            self.outline = validator_class(outline)
            self.by_event = {n: validator_class(s) for n, s in zip(names, shapes, strict=True)}

    def is_valid(self, result: Any) -> bool:
        if self.by_event is None:
            return best_match(self.whole.iter_errors(result)) is None
        if not self.outline.is_valid(result):
            return False
        for event in result.get("events") or []:  # the outline checked it is a list of objects
            shape = self.by_event.get(event.get("event"))
            if shape is None or not shape.is_valid(event):
                return False
        return True


_check = ResponseCheck(RemoteAction.action_response_format_spec())


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    if _check.is_valid(result):
        return True
    return _rasa_check(self, result)  # raises Rasa's ValidationError


def install(action_timeout_s: float) -> None:
    """Apply both settings in this process (idempotent)."""
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = action_timeout_s
    RemoteAction._validate_action_result = _validate_action_result


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False
)
class ActionClientSettings(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # generous: under a burst Rasa itself reads the action server's answer late
        return {POLICY_PRIORITY: DEFAULT_POLICY_PRIORITY, "action_timeout_s": 20}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> None:
        config = {**self.get_default_config(), **config}
        super().__init__(config, model_storage, resource, execution_context, **kwargs)
        install(float(config["action_timeout_s"]))

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
        return self._prediction(self._default_predictions(domain))
