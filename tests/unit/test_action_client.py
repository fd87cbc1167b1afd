"""The action server's answers are checked as Rasa's own schema check would (action_client.py)."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction

from components.runtime.action_client import ResponseCheck

SCHEMA = RemoteAction.action_response_format_spec()
CHECK = ResponseCheck(SCHEMA)
SLOT = {"event": "slot", "timestamp": None, "name": "answer_id", "value": "procedure"}
TEXT = {
    "text": "The procedure takes about an hour.",
    "buttons": [{"title": "More", "payload": "/x"}],
}

RESPONSES: list[Any] = [
    {"events": [SLOT, {**SLOT, "name": "safety_notice", "value": None}], "responses": [TEXT]},
    {"events": [], "responses": []},
    {},
    {"events": [{"event": "followup", "name": "action_answer"}]},
    {"events": [{"event": "bot", "text": "hi", "timestamp": 1.5, "metadata": {}}]},
    {"events": [{"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}}]},
    {"events": [{"event": "session_started", "metadata": None}]},
    # invalid ones
    {"events": [{"event": "slot", "name": 3, "value": 1}]},
    {"events": [{"event": "slot", "value": 1}]},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"name": "answer_id"}]},
    {"events": [{"event": 7}]},
    {"events": ["slot"]},
    {"events": {"event": "slot"}},
    {"events": None},
    {"events": [SLOT, {"event": "bot", "timestamp": "yesterday"}]},
    {"events": [{"event": "action", "name": 3}]},
    {"events": [SLOT], "responses": "not a list"},
    "not an object",
    [],
]


@pytest.mark.parametrize("response", RESPONSES)
def test_same_verdict_as_the_whole_schema(response: Any) -> None:
    expected = best_match(CHECK.whole.iter_errors(response)) is None
    assert CHECK.by_event is not None  # the per-event check is in use
    assert CHECK.is_valid(response) is expected


def test_both_kinds_of_verdict_are_covered() -> None:
    verdicts = {best_match(CHECK.whole.iter_errors(r)) is None for r in RESPONSES}
    assert verdicts == {True, False}


def test_a_schema_whose_shapes_share_a_name_is_checked_whole() -> None:
    shape = {"properties": {"event": {"const": "slot"}}}
    schema = {
        "type": "object",
        "properties": {"events": {"type": "array", "items": {"oneOf": [shape, shape]}}},
    }
    check = ResponseCheck(schema)
    assert check.by_event is None
    assert check.is_valid({"events": [{"event": "slot"}]}) is False  # two shapes match
