"""The medical-term component: lexicon synonyms, typos, and its Rasa life cycle."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.nlu.medical_terms import MedicalTermExtractor
from components.nlu.medical_terms_finder import MedicalTermFinder, read_lexicon

ROOT = Path(__file__).resolve().parents[2]
LEXICON = ROOT / "content" / "lexicon.yml"


@pytest.fixture(scope="module")
def finder() -> MedicalTermFinder:
    return MedicalTermFinder.from_lexicon(read_lexicon(LEXICON))


def found(finder: MedicalTermFinder, text: str) -> set[tuple[str, str]]:
    return {(term.entity, term.value) for term in finder.find(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I have a slipped disc", ("condition", "herniated_disc")),
        ("bulging disks in my back", ("condition", "herniated_disc")),
        ("Prolapsed Disc", ("condition", "herniated_disc")),
        ("what about stenosis?", ("condition", "spinal_stenosis")),
        ("narrowing of the spinal canal", ("condition", "spinal_stenosis")),
        ("wear and tear in my spine", ("condition", "degenerative_disc_disease")),
        ("DDD", ("condition", "degenerative_disc_disease")),
        ("arthritis", ("condition", "osteoarthritis")),
        ("I pulled a muscle, a pulled muscle", ("condition", "joint_soft_tissue_injury")),
        ("pain in my lower back", ("body_region", "lumbar")),
        ("my neck", ("body_region", "cervical")),
        ("cartilage and ligaments", ("tissue", "ligament")),
        ("guided by a live x-ray", ("imaging", "fluoroscopy")),
        ("an MRI scan", ("imaging", "mri")),
        ("x ray", ("imaging", "xray")),
    ],
)
def test_synonyms_map_to_their_canonical_value(finder, text: str, expected: tuple[str, str]):
    assert expected in found(finder, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("herniatd disc", ("condition", "herniated_disc")),
        ("osteoarthritus", ("condition", "osteoarthritis")),
        ("flouroscopy", ("imaging", "fluoroscopy")),
        ("ultrasonud", ("imaging", "ultrasound")),
    ],
)
def test_one_typo_in_a_long_word_is_still_recognised(finder, text, expected):
    assert expected in found(finder, text)


def test_longest_phrase_wins_and_offsets_point_at_the_text(finder):
    text = "Is it used for degenerative disc disease?"
    [term] = finder.find(text)
    assert (term.entity, term.value) == ("condition", "degenerative_disc_disease")
    assert text[term.start : term.end] == "degenerative disc disease"


@pytest.mark.parametrize("text", ["what is it", "hello there", "discount", "disco", "cost"])
def test_ordinary_words_are_not_medical_terms(finder, text: str):
    assert found(finder, text) == set()


def test_component_trains_persists_and_loads(tmp_path: Path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("medical_terms")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**MedicalTermExtractor.get_default_config(), "lexicon_file": str(LEXICON)}
    trained = MedicalTermExtractor.create(config, storage, resource, context)
    trained.train(TrainingData())

    loaded = MedicalTermExtractor.load(config, storage, resource, context)
    [message] = loaded.process([Message.build("does it help a slipped disc in my lower back")])
    entities = message.get("entities")
    assert [(e["entity"], e["value"], e["extractor"]) for e in entities] == [
        ("condition", "herniated_disc", "MedicalTermExtractor"),
        ("body_region", "lumbar", "MedicalTermExtractor"),
    ]


def test_lexicon_change_changes_the_fingerprint(tmp_path: Path):
    lexicon = tmp_path / "lexicon.yml"
    lexicon.write_text(LEXICON.read_text())
    config = {"lexicon_file": str(lexicon)}
    before = MedicalTermExtractor.fingerprint_addon(config)
    lexicon.write_text(LEXICON.read_text() + "\n  sciatica_extra:\n    - foo\n")
    assert MedicalTermExtractor.fingerprint_addon(config) != before
