"""Check action-server responses without re-checking Rasa's schema on every call.

Rasa 3.6 checks each custom action's response with `jsonschema.validate(result,
schema)`, which first validates the constant schema itself against the JSON-Schema
meta-schema. With jsonschema 4.17 that costs about 20 ms of CPU per custom action
call: half of what the Rasa server spent on a message here (bench/README.md). This
keeps one validator for the schema, checked once. A response that fails still goes
through Rasa's own check, so the error raised and its message are unchanged.
"""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

_rasa_check = RemoteAction._validate_action_result
_schema = RemoteAction.action_response_format_spec()
_validator_class = validator_for(_schema)
_validator_class.check_schema(_schema)
_validator = _validator_class(_schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    if best_match(_validator.iter_errors(result)) is None:
        return True
    return _rasa_check(self, result)  # raises Rasa's ValidationError


def install() -> None:
    """Use the cached validator in this process (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result
