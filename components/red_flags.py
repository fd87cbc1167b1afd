"""Rasa graph component: the deterministic red-flag safety net.

`RedFlagDetector` runs after `DIETClassifier` and `FallbackClassifier`. When a
message reports a red flag (see `content/red_flags.yml` and
`components/red_flag_rules.py`) it sets the intent to `red_flag` with confidence
1.0, whatever the classifier thought, and adds entities carrying the category and
the clinic's emergency and crisis numbers, so the emergency reply can be rendered
from domain responses even when the action server is down. When no red flag is
found, a classifier guess of `red_flag` is demoted: the detector alone decides.

Training reads the patterns file and the clinic settings and stores both in the
model, so a trained model is self-contained; `fingerprint_addon` hashes both files
so that editing either one retrains the component.

Config (defaults):
    patterns_file: content/red_flags.yml
    clinic_file: content/clinic.yml
    demotion_fallback_threshold: 0.0   # demoted intents below this become nlu_fallback
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.content_fingerprint import files_fingerprint
from components.intent_override import demote_intent, override_intent, predicted_intent
from components.red_flag_rules import RedFlagMatch, RedFlagMatcher, load_patterns_file

logger = logging.getLogger(__name__)

RED_FLAG_INTENT = "red_flag"
RED_FLAG_KEY = "red_flag"  # message data: {"category": ..., "text": ...}
CLINIC_KEYS = ("emergency_number", "crisis_line")
PATTERNS_STORED = "red_flags.json"
CLINIC_STORED = "clinic.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class RedFlagDetector(GraphComponent, IntentClassifier):
    """Overrides the intent with `red_flag` when a message reports an emergency."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Paths are relative to the project directory (where `rasa` runs)."""
        return {
            "patterns_file": "content/red_flags.yml",
            "clinic_file": "content/clinic.yml",
            "demotion_fallback_threshold": 0.0,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["spacy"]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        patterns: dict[str, Any] | None = None,
        clinic: dict[str, Any] | None = None,
    ) -> None:
        self.component_config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.patterns = patterns
        self.clinic = clinic or {}
        self.matcher = RedFlagMatcher.from_config(patterns) if patterns else None

    # -- lifecycle ------------------------------------------------------------

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagDetector:
        """A fresh, untrained component (training calls `train` next)."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Read the patterns and clinic files, check them, store them in the model."""
        patterns, clinic = _read_sources(self.component_config)
        self.patterns, self.clinic = patterns, clinic
        self.matcher = RedFlagMatcher.from_config(patterns)  # fails early on bad patterns
        with self._model_storage.write_to(self._resource) as directory:
            _write_json(directory / PATTERNS_STORED, patterns)
            _write_json(directory / CLINIC_STORED, clinic)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RedFlagDetector:
        """Restore the patterns and clinic settings stored at training time."""
        try:
            with model_storage.read_from(resource) as directory:
                patterns = _read_json(directory / PATTERNS_STORED)
                clinic = _read_json(directory / CLINIC_STORED)
        except (ValueError, FileNotFoundError) as error:
            # Never run without the safety net: fall back to the configured files.
            logger.warning(f"RedFlagDetector: no stored patterns ({error}); reading the files.")
            patterns, clinic = _read_sources({**cls.get_default_config(), **config})
        return cls(config, model_storage, resource, patterns, clinic)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Hash of both files' bytes: editing either one retrains the component."""
        merged = {**cls.get_default_config(), **config}
        return files_fingerprint(merged["patterns_file"], merged["clinic_file"])

    # -- inference ------------------------------------------------------------

    def process(self, messages: list[Message]) -> list[Message]:
        """Override or demote the intent of every message."""
        if self.matcher is None:
            raise RuntimeError("RedFlagDetector has no patterns: train or load it first.")
        for message in messages:
            match = self.matcher.find(message.get(TEXT) or "")
            if match is not None:
                self._mark_red_flag(message, match)
            elif predicted_intent(message) == RED_FLAG_INTENT:
                self._demote(message)
        return messages

    def _mark_red_flag(self, message: Message, match: RedFlagMatch) -> None:
        text = message.get(TEXT) or ""
        override_intent(message, RED_FLAG_INTENT)
        entities = list(message.get(ENTITIES) or [])
        entities.append(_entity("red_flag", match.category, match.start, match.end))
        for key in CLINIC_KEYS:
            if self.clinic.get(key):
                entities.append(_entity(key, str(self.clinic[key]), 0, len(text)))
        message.set(ENTITIES, entities, add_to_output=True)
        message.set(
            RED_FLAG_KEY,
            {"category": match.category, "text": match.text},
            add_to_output=True,
        )
        logger.debug(f"Red flag '{match.category}' in message: '{match.text}'.")

    def _demote(self, message: Message) -> None:
        """The classifier said red_flag but the rules found none: take the next intent."""
        threshold = float(self.component_config["demotion_fallback_threshold"])
        new_intent = demote_intent(message, RED_FLAG_INTENT, threshold)
        logger.debug(f"Demoted a classifier 'red_flag' to '{new_intent}'.")


def _entity(name: str, value: str, start: int, end: int) -> dict[str, Any]:
    return {
        ENTITY_ATTRIBUTE_TYPE: name,
        ENTITY_ATTRIBUTE_VALUE: value,
        ENTITY_ATTRIBUTE_START: start,
        ENTITY_ATTRIBUTE_END: end,
        ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
        EXTRACTOR: RedFlagDetector.__name__,
    }


def _read_sources(config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The patterns file (required) and the clinic settings (warn if numbers are missing)."""
    patterns = load_patterns_file(config["patterns_file"])
    clinic_path = Path(config["clinic_file"])
    clinic: dict[str, Any] = {}
    if clinic_path.is_file():
        clinic = yaml.safe_load(clinic_path.read_text(encoding="utf-8")) or {}
    for key in CLINIC_KEYS:
        if not clinic.get(key):
            logger.warning(f"RedFlagDetector: '{key}' is not set in {clinic_path}.")
    return patterns, clinic


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
