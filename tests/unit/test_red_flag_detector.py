"""The red-flag Rasa component: rules and learned classifier united, through Rasa's graph API.

A real LocalModelStorage: intent override with entities and ranking, the possible tier,
demotion of a classifier guess, the learned classifier (it raises what the rules lack,
and cannot veto them), persistence round trip and the fingerprint.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.nlu.red_flags import (
    RedFlagDetector,
    load_patterns_file,
)
from tests.unit.red_flag_data import (
    PATTERNS,
)

# ---------------------------------------------------------------------------
# The Rasa component
# ---------------------------------------------------------------------------


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, str]:
    """A copy of the patterns file, so tests may edit it."""
    patterns = tmp_path / "red_flags.yml"
    shutil.copy(PATTERNS, patterns)
    return {"patterns_file": str(patterns)}


@pytest.fixture
def storage(tmp_path: Path) -> LocalModelStorage:
    (tmp_path / "model").mkdir()
    return LocalModelStorage.create(tmp_path / "model")


@pytest.fixture
def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test-model")


@pytest.fixture
def trained(sources: dict, storage: LocalModelStorage, context: ExecutionContext) -> Any:
    """Rules only: with no red-flag examples there is no learned classifier."""
    resource = Resource("red_flag_detector")
    detector = RedFlagDetector.create(
        {**RedFlagDetector.get_default_config(), **sources}, storage, resource, context
    )
    detector.train(TrainingData())
    assert detector.learned is None
    return detector


def classified(
    text: str, ranking: list[tuple[str, float]], entities: list | None = None
) -> Message:
    """A message as the intent classifier and FallbackClassifier leave it."""
    message = Message(data={"text": text})
    items = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    if items:
        message.set("intent", dict(items[0]), add_to_output=True)
        message.set("intent_ranking", items, add_to_output=True)
    message.set("entities", entities or [], add_to_output=True)
    return message


def entity_values(message: Message, name: str) -> list[str]:
    return [e["value"] for e in message.get("entities") or [] if e["entity"] == name]


def test_component_is_registered_as_trainable_intent_classifier() -> None:
    registered = DefaultV1Recipe._registered_components["RedFlagDetector"]
    assert registered.clazz is RedFlagDetector
    assert registered.is_trainable
    assert DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER in registered.types
    # the patterns file of the content folder (content/, or CLINIC_CONTENT_DIR)
    assert RedFlagDetector.get_default_config()["patterns_file"] is None


def test_red_flag_overrides_the_classifier(trained: RedFlagDetector) -> None:
    text = "Quick question about cost. Also since last night I can't pee and my back is agony"
    earlier = {"entity": "tissue", "value": "disc", "start": 0, "end": 5, "extractor": "X"}
    message = classified(
        text, [("ask_not_covered", 0.81), ("red_flag", 0.12), ("greet", 0.07)], [earlier]
    )

    (message,) = trained.process([message])

    assert message.get("intent") == {"name": "red_flag", "confidence": 1.0}
    names = [item["name"] for item in message.get("intent_ranking")]
    assert names == ["red_flag", "ask_not_covered", "greet"]
    entities = {e["entity"]: e for e in message.get("entities")}
    assert entities["tissue"] == earlier
    flag = entities["red_flag"]
    assert flag["value"] == "cauda_equina"
    assert text[flag["start"] : flag["end"]] == "can't pee"
    assert flag["extractor"] == "RedFlagDetector"
    assert "safety_notice" not in entities
    output = message.as_dict(only_output_properties=True)
    assert {"intent", "intent_ranking", "entities"} <= set(output)


def test_red_flag_without_classifier_output(trained: RedFlagDetector) -> None:
    (message,) = trained.process([Message(data={"text": "I want to kill myself"})])
    assert message.get("intent")["name"] == "red_flag"
    assert entity_values(message, "red_flag") == ["suicidal"]


def test_possible_red_flag_keeps_the_intent_and_adds_a_safety_notice(
    trained: RedFlagDetector,
) -> None:
    message = classified(
        "can stem cells cause incontinence?", [("ask_safety", 0.7), ("ask_overview", 0.2)]
    )
    (message,) = trained.process([message])
    assert message.get("intent") == {"name": "ask_safety", "confidence": 0.7}
    assert entity_values(message, "safety_notice") == ["cauda_equina"]
    assert entity_values(message, "red_flag") == []


def test_classifier_red_flag_is_demoted_when_rules_find_none(trained: RedFlagDetector) -> None:
    message = classified(
        "can stem cells cause incontinence?",
        [("red_flag", 0.62), ("ask_safety", 0.31), ("ask_overview", 0.07)],
    )
    (message,) = trained.process([message])
    assert message.get("intent") == {"name": "ask_safety", "confidence": 0.31}
    assert [item["name"] for item in message.get("intent_ranking")] == [
        "ask_safety",
        "ask_overview",
    ]
    assert entity_values(message, "red_flag") == []


def test_demotion_without_other_intents_gives_nlu_fallback(trained: RedFlagDetector) -> None:
    (message,) = trained.process([classified("what is cauda equina?", [("red_flag", 0.9)])])
    assert message.get("intent")["name"] == "nlu_fallback"
    assert message.get("intent_ranking")[0]["name"] == "nlu_fallback"


def test_demotion_threshold_is_optional(
    sources: dict, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    config = {**RedFlagDetector.get_default_config(), **sources, "demotion_fallback_threshold": 0.3}
    detector = RedFlagDetector.create(config, storage, Resource("strict"), context)
    detector.train(TrainingData())
    message = classified("is there a risk of paralysis?", [("red_flag", 0.9), ("ask_safety", 0.08)])
    (message,) = detector.process([message])
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 0.3}
    assert [item["name"] for item in message.get("intent_ranking")] == [
        "nlu_fallback",
        "ask_safety",
    ]


def test_other_intents_are_left_alone(trained: RedFlagDetector) -> None:
    message = classified("how much does it cost?", [("ask_not_covered", 0.9), ("red_flag", 0.1)])
    (message,) = trained.process([message])
    assert message.get("intent") == {"name": "ask_not_covered", "confidence": 0.9}
    assert [item["name"] for item in message.get("intent_ranking")] == [
        "ask_not_covered",
        "red_flag",
    ]
    assert message.get("entities") == []


LEARNED_POSITIVES = [
    ("my wee just will not come out at all since this morning", "cauda_equina"),
    ("the wee will not come out and my back is agony", "cauda_equina"),
    ("wee will not come out today", "cauda_equina"),
    ("my whole bum feels like rubber and sort of absent", "saddle_numbness"),
    ("bum feels like rubber since yesterday", "saddle_numbness"),
]
LEARNED_NEGATIVES = [
    "how much does it cost",
    "what is stem cell therapy",
    "my back aches when I sit",
    "is the injection painful",
    "how long does it take",
    "what are the risks",
    "can I drive afterwards",
    "hello there",
]


def learned_training_data() -> TrainingData:
    examples = [
        Message(
            data={
                "text": text,
                "intent": "red_flag",
                "metadata": {"example": {"category": category}},
            }
        )
        for text, category in LEARNED_POSITIVES
    ]
    examples += [
        Message(data={"text": text, "intent": "ask_overview"}) for text in LEARNED_NEGATIVES
    ]
    return TrainingData(training_examples=examples)


@pytest.fixture
def trained_with_classifier(
    sources: dict, storage: LocalModelStorage, context: ExecutionContext
) -> RedFlagDetector:
    config = {**RedFlagDetector.get_default_config(), **sources, "clear_threshold": 0.5}
    detector = RedFlagDetector.create(config, storage, Resource("learned"), context)
    detector.train(learned_training_data())
    assert detector.learned is not None
    return detector


def test_learned_classifier_raises_what_the_rules_lack(
    trained_with_classifier: RedFlagDetector,
) -> None:
    text = "my wee will not come out at all"
    assert trained_with_classifier.matcher.find(text) is None
    (message,) = trained_with_classifier.process([classified(text, [("greet", 0.5)])])
    assert message.get("intent")["name"] == "red_flag"
    assert entity_values(message, "red_flag") == ["cauda_equina"]


def test_the_learned_classifier_cannot_veto_the_rules(
    sources: dict, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    # Thresholds the classifier can never reach: it raises nothing, and the rules
    # still raise what they find.
    config = {
        **RedFlagDetector.get_default_config(),
        **sources,
        "clear_threshold": 1.01,
        "possible_threshold": 1.01,
    }
    detector = RedFlagDetector.create(config, storage, Resource("silent"), context)
    detector.train(learned_training_data())
    assert detector.learned is not None
    (message,) = detector.process([classified("I can't feel my legs", [("greet", 0.5)])])
    assert entity_values(message, "red_flag") == ["leg_weakness"]
    (message,) = detector.process([classified("my wee will not come out at all", [("greet", 1)])])
    assert entity_values(message, "red_flag") == []


def test_persistence_round_trip(
    trained_with_classifier: RedFlagDetector,
    sources: dict,
    storage: LocalModelStorage,
    context: ExecutionContext,
) -> None:
    # The model keeps what it was trained with, even if the patterns file vanishes.
    Path(sources["patterns_file"]).unlink()
    config = {**RedFlagDetector.get_default_config(), **sources, "clear_threshold": 0.5}

    loaded = RedFlagDetector.load(config, storage, Resource("learned"), context)

    assert loaded.patterns == load_patterns_file(PATTERNS)
    (message,) = loaded.process([classified("both my legs have gone numb", [("greet", 0.6)])])
    assert entity_values(message, "red_flag") == ["leg_weakness"]
    text = "my wee will not come out at all"
    assert loaded.learned.predict(text) == trained_with_classifier.learned.predict(text)


def test_load_without_stored_model_reads_the_file(
    sources: dict, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    config = {**RedFlagDetector.get_default_config(), **sources}
    loaded = RedFlagDetector.load(config, storage, Resource("never_trained"), context)
    assert loaded.matcher.find("I have a fever and back pain").category == "infection"


def test_training_rejects_broken_patterns(
    sources: dict, storage: LocalModelStorage, context: ExecutionContext
) -> None:
    Path(sources["patterns_file"]).write_text(
        "categories:\n  x:\n    priority: 1\n    rules:\n      - patterns: [[{LOWER: no}]]\n",
        encoding="utf-8",
    )
    config = {**RedFlagDetector.get_default_config(), **sources}
    detector = RedFlagDetector.create(config, storage, Resource("broken"), context)
    with pytest.raises(ValueError):
        detector.train(TrainingData())


def test_fingerprint_changes_when_the_patterns_file_changes(sources: dict) -> None:
    config = dict(sources)
    first = RedFlagDetector.fingerprint_addon(config)
    assert RedFlagDetector.fingerprint_addon(config) == first

    patterns = Path(sources["patterns_file"])
    patterns.write_text(patterns.read_text() + "\n# edited\n", encoding="utf-8")
    second = RedFlagDetector.fingerprint_addon(config)
    assert second != first

    patterns.unlink()
    assert RedFlagDetector.fingerprint_addon(config) not in (first, second)


def test_fingerprint_uses_the_content_folder(tmp_path: Path, monkeypatch) -> None:
    assert RedFlagDetector.fingerprint_addon({}) == RedFlagDetector.fingerprint_addon(
        {"patterns_file": str(PATTERNS)}
    )
    shutil.copy(PATTERNS, tmp_path / "red_flags.yml")
    (tmp_path / "red_flags.yml").write_text(PATTERNS.read_text() + "\n# another clinic\n")
    monkeypatch.setenv("CLINIC_CONTENT_DIR", str(tmp_path))
    assert RedFlagDetector.fingerprint_addon({}) == RedFlagDetector.fingerprint_addon(
        {"patterns_file": str(tmp_path / "red_flags.yml")}
    )
