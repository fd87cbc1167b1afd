"""The trained model on messages it never saw: held-out intents, entities, red flags."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data

ROOT = Path(__file__).resolve().parents[2]
HELD_OUT = ROOT / "tests" / "data" / "nlu_heldout.yml"
RED_FLAGS = ROOT / "tests" / "data" / "red_flags.yml"
MIN_INTENT_ACCURACY = 0.95


def test_held_out_intent_accuracy(nlu):
    examples = [(e.get("text"), e.get("intent")) for e in load_data(str(HELD_OUT)).intent_examples]
    assert len(examples) >= 150
    misses = []
    for text, expected in examples:
        predicted = nlu(text)["intent"]["name"]
        if predicted != expected:
            misses.append((expected, predicted, text))
    accuracy = 1 - len(misses) / len(examples)
    print(f"\nheld-out intent accuracy: {accuracy:.3f} ({len(examples)} messages)")
    for pair, count in Counter((e, p) for e, p, _ in misses).most_common():
        print(f"  {count} x {pair[0]} -> {pair[1]}")
    for expected, predicted, text in misses:
        print(f"  {expected} -> {predicted}: {text}")
    assert accuracy >= MIN_INTENT_ACCURACY, "\n".join(map(str, misses))


def test_held_out_file_is_never_trained_on():
    trained = {
        e.get("text").strip().lower() for e in load_data(str(ROOT / "data" / "nlu")).intent_examples
    }
    held_out = {e.get("text").strip().lower() for e in load_data(str(HELD_OUT)).intent_examples}
    assert not trained & held_out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("does it work for a slipped disc?", {("condition", "herniated_disc")}),
        ("what about stenosis", {("condition", "spinal_stenosis")}),
        ("my lower back has arthritis", {("body_region", "lumbar"),
                                         ("condition", "osteoarthritis")}),
        ("fluoroscopy or ultrasound?", {("imaging", "fluoroscopy"), ("imaging", "ultrasound")}),
        ("I have a herniatd disk", {("condition", "herniated_disc")}),
    ],
)  # fmt: skip
def test_model_extracts_medical_terms(nlu, text: str, expected: set):
    found = {(e["entity"], e["value"]) for e in nlu(text)["entities"]}
    assert expected <= found


def test_every_red_flag_phrasing_becomes_the_red_flag_intent(nlu):
    positives = yaml.safe_load(RED_FLAGS.read_text())["positives"]
    missed = []
    for case in positives:
        result = nlu(case["text"])
        flags = [e["value"] for e in result["entities"] if e["entity"] == "red_flag"]
        if result["intent"]["name"] != "red_flag" or flags != [case["category"]]:
            missed.append((case["text"], result["intent"]["name"], flags))
    print(f"\nred flags caught through the model: {len(positives) - len(missed)}/{len(positives)}")
    assert not missed


def test_no_near_miss_becomes_a_red_flag(nlu):
    negatives = yaml.safe_load(RED_FLAGS.read_text())["negatives"]
    raised = [text for text in negatives if nlu(text)["intent"]["name"] == "red_flag"]
    print(f"\nnear-misses raised through the model: {len(raised)}/{len(negatives)}")
    assert not raised


def test_held_out_questions_never_raise_a_red_flag(nlu):
    examples = load_data(str(HELD_OUT)).intent_examples
    raised = [e.get("text") for e in examples if nlu(e.get("text"))["intent"]["name"] == "red_flag"]
    assert not raised


@pytest.mark.parametrize(
    "text",
    [
        "¿La terapia con células madre sirve para una hernia discal?",
        "Wie lange dauert die Behandlung mit Stammzellen?",
        "这个治疗安全吗？",
    ],
)
def test_messages_in_other_languages_are_told_the_assistant_answers_in_english(nlu, text):
    assert nlu(text)["intent"]["name"] == "other_language"


def test_a_red_flag_in_a_mixed_language_message_still_wins(nlu):
    result = nlu("hola, I can't control my bladder and my back hurts, ayuda por favor")
    assert result["intent"]["name"] == "red_flag"
