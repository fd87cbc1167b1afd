"""Rasa graph component: entities for the medical terms a patient names.

The spaCy pipeline is built from `content/lexicon.yml` at training time and stored
inside the trained model, so a model always answers with the lexicon it was trained
with. `fingerprint_addon` makes `rasa train` retrain when the lexicon changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from clinic.lexicon import lexicon_path
from components.content_fingerprint import files_fingerprint
from components.nlu.medical_terms_finder import MedicalTermFinder, read_lexicon

PIPELINE_DIR = "spacy_pipeline"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class MedicalTermExtractor(GraphComponent, EntityExtractorMixin):
    """Extracts condition, body_region, tissue and imaging entities."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"lexicon_file": None}  # default: content/lexicon.yml (or CLINIC_CONTENT_DIR)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return files_fingerprint(config.get("lexicon_file") or lexicon_path())

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        finder: MedicalTermFinder | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._finder = finder

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MedicalTermExtractor:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        lexicon = read_lexicon(Path(self._config["lexicon_file"] or lexicon_path()))
        self._finder = MedicalTermFinder.from_lexicon(lexicon)
        with self._model_storage.write_to(self._resource) as directory:
            self._finder.nlp.to_disk(directory / PIPELINE_DIR)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MedicalTermExtractor:
        with model_storage.read_from(resource) as directory:
            nlp = spacy.load(directory / PIPELINE_DIR)
        return cls(config, model_storage, resource, MedicalTermFinder(nlp))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        if self._finder is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = [
                {
                    "entity": term.entity,
                    "value": term.value,
                    "start": term.start,
                    "end": term.end,
                    "confidence_entity": 1.0,
                }
                for term in self._finder.find(text)
            ]
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name(found),
                add_to_output=True,
            )
        return messages
