"""SafetyPolicy: the emergency reply alone, or one urgent-care line before the answer.

Driven through Rasa's graph API with a real domain and model storage; the clinic's
numbers come from the settings file the policy was trained with.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from clinic.settings import SettingsError, load_settings
from components.policies.safety import SafetyPolicy

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(ROOT / "domain.yml")
SETTINGS = load_settings(ROOT / "content" / "clinic.yml")


@pytest.fixture
def clinic_file(tmp_path: Path) -> Path:
    path = tmp_path / "clinic.yml"
    path.write_text(yaml.safe_dump(SETTINGS.values), encoding="utf-8")
    return path


@pytest.fixture
def policy(tmp_path: Path, clinic_file: Path) -> SafetyPolicy:
    (tmp_path / "model").mkdir()
    storage = LocalModelStorage.create(tmp_path / "model")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**SafetyPolicy.get_default_config(), "clinic_file": str(clinic_file)}
    trained = SafetyPolicy.create(config, storage, Resource("safety"), context)
    trained.train([], DOMAIN)
    return SafetyPolicy.load(config, storage, Resource("safety"), context)


def tracker(intent: str, entities: list[dict] | None = None, *after: str) -> DialogueStateTracker:
    events = [
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("...", {"name": intent, "confidence": 1.0}, entities or []),
        *(ActionExecuted(name) for name in after),
    ]
    return DialogueStateTracker.from_events("patient", events, DOMAIN.slots)


def predicted(policy: SafetyPolicy, state: DialogueStateTracker) -> str | None:
    prediction = policy.predict_action_probabilities(state, DOMAIN)
    best = max(range(len(prediction.probabilities)), key=prediction.probabilities.__getitem__)
    return DOMAIN.action_names_or_texts[best] if prediction.probabilities[best] > 0 else None


NOTICE = [{"entity": "safety_notice", "value": "cauda_equina", "start": 0, "end": 3}]


def test_a_red_flag_gets_the_emergency_reply_with_the_clinic_numbers(policy: SafetyPolicy):
    prediction = policy.predict_action_probabilities(tracker("red_flag"), DOMAIN)
    assert predicted(policy, tracker("red_flag")) == "utter_emergency"
    assert set(prediction.events) == {
        SlotSet("emergency_number", SETTINGS.emergency_number),
        SlotSet("crisis_line", SETTINGS.crisis_line),
    }


def test_nothing_follows_the_emergency_reply(policy: SafetyPolicy):
    assert predicted(policy, tracker("red_flag", None, "utter_emergency")) == ACTION_LISTEN_NAME


def test_a_possible_red_flag_gets_the_notice_first_then_leaves_the_answer_to_the_rules(
    policy: SafetyPolicy,
):
    assert predicted(policy, tracker("ask_safety", NOTICE)) == "utter_safety_notice"
    assert predicted(policy, tracker("ask_safety", NOTICE, "utter_safety_notice")) is None


def test_an_ordinary_question_is_left_to_the_rules(policy: SafetyPolicy):
    assert predicted(policy, tracker("ask_safety")) is None


def test_the_priority_is_above_rasas_rule_policy():
    from rasa.core.constants import RULE_POLICY_PRIORITY

    assert SafetyPolicy.get_default_config()["priority"] > RULE_POLICY_PRIORITY


def test_notice_and_emergency_responses_name_the_numbers():
    for response in ("utter_emergency", "utter_safety_notice"):
        variations = DOMAIN.responses[response]
        assert variations
        assert all(
            "{emergency_number}" in v["text"] or "{crisis_line}" in v["text"] for v in variations
        )


def test_training_stops_on_incomplete_settings(tmp_path: Path, clinic_file: Path):
    clinic_file.write_text("name: Clinic\n", encoding="utf-8")
    (tmp_path / "other").mkdir()
    storage = LocalModelStorage.create(tmp_path / "other")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**SafetyPolicy.get_default_config(), "clinic_file": str(clinic_file)}
    policy = SafetyPolicy.create(config, storage, Resource("safety"), context)
    with pytest.raises(SettingsError, match="emergency_number"):
        policy.train([], DOMAIN)


def test_fingerprint_follows_the_settings_file(clinic_file: Path):
    config = {"clinic_file": str(clinic_file)}
    first = SafetyPolicy.fingerprint_addon(config)
    clinic_file.write_text(clinic_file.read_text() + "\n# edited\n", encoding="utf-8")
    assert SafetyPolicy.fingerprint_addon(config) != first
