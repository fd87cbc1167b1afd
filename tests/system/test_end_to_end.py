"""Both servers, REST messages, and the `answer_id` of each turn from the tracker API."""

from __future__ import annotations

from pathlib import Path

import pytest

from clinic.catalog import Catalog
from ops.processes import Assistant

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory):
    running = Assistant(trained_model, tmp_path_factory.mktemp("e2e")).start()
    yield running
    running.stop()


def texts(replies: list[dict]) -> list[str]:
    return [reply.get("text", "") for reply in replies]


CONVERSATION = [
    ("hello", "greet"),
    ("what is stem cell therapy for back pain", "overview"),
    ("how do the stem cells actually repair things", "how_it_works"),
    ("which conditions can it be used for?", "conditions"),
    ("what about stenosis?", "conditions"),
    ("how is the injection given", "procedure"),
    ("do they use ultrasound or x-ray to guide the needle", "imaging_guidance"),
    ("is it safe? are there risks", "safety"),
    ("how much does it cost", "not_covered"),
    ("should I stop taking my painkillers", "personal_advice"),
    ("can I talk to a real person", "handoff"),
    ("thanks", "thanks"),
    ("bye", "goodbye"),
]


def test_a_conversation_is_answered_turn_by_turn(assistant: Assistant, catalog: Catalog):
    sender = "e2e-conversation"
    for message, expected in CONVERSATION:
        replies = assistant.post(sender, message)
        assert replies, message
        assert assistant.answer_id(sender) == expected, message
    tracker = assistant.tracker(sender)
    assert tracker["slots"]["answer_variant"] is None
    assert any(e.get("name") == "answer_variant" and e.get("value") == "spinal_stenosis"
               for e in tracker["events"] if e["event"] == "slot")  # fmt: skip


def test_answer_carries_its_source_and_follow_up_buttons(assistant: Assistant, catalog):
    replies = assistant.post("e2e-source", "how is stem cell therapy administered?")
    welcome, answer = replies
    assert "not medical advice" in welcome["text"]
    source = f"Source: {catalog['procedure'].sources[0].section}"
    assert answer["text"].endswith(f"{source}\n\n{catalog['feedback_prompt'].text}")
    payloads = [button["payload"] for button in answer["buttons"]]
    assert payloads[0].startswith("/feedback") and payloads[1].startswith("/feedback")
    assert payloads[2] == "/ask_imaging_guidance"
    assistant.post("e2e-source", "/ask_imaging_guidance")
    assert assistant.answer_id("e2e-source") == "imaging_guidance"


def test_red_flag_gets_the_emergency_reply_first_and_only(assistant: Assistant, catalog):
    replies = assistant.post("e2e-red-flag", "I've wet myself and can't feel my bum, back is agony")
    assert len(replies) == 1
    assert catalog.settings["emergency_number"] in replies[0]["text"]
    assert "same-day" in replies[0]["text"]
    assert assistant.answer_id("e2e-red-flag") == "emergency"


def test_possible_red_flag_gets_one_urgent_care_line_then_its_answer(assistant: Assistant, catalog):
    sender = "e2e-notice"
    assistant.post(sender, "hello")
    replies = assistant.post(sender, "can stem cell injections cause incontinence?")
    assert len(replies) >= 2
    assert catalog.settings["emergency_number"] in replies[0]["text"]
    assert "bladder" in replies[0]["text"]
    assert assistant.answer_id(sender) == "safety"
    assert assistant.tracker(sender)["slots"]["safety_notice"] == "cauda_equina"


def test_feedback_buttons_are_thanked_and_stored(assistant: Assistant, catalog):
    sender = "e2e-feedback"
    answer = assistant.post(sender, "is stem cell therapy safe?")[-1]
    down = next(b for b in answer["buttons"] if '"helpful": "no"' in b["payload"])
    replies = assistant.post(sender, down["payload"])
    assert replies[0]["text"].startswith("Thank you for telling us. What were you")
    assistant.post(sender, "I wanted to know if it hurts")
    slots = assistant.tracker(sender)["slots"]
    assert slots["feedback"] == "safety:no"
    assert slots["feedback_comment"] == "I wanted to know if it hurts"
    forged = assistant.post(sender, '/feedback{"helpful": "no", "feedback_answer": "nothing"}')
    assert forged and assistant.tracker(sender)["slots"]["feedback"] == "safety:no"


def test_two_messages_not_understood_end_with_a_person(assistant: Assistant, catalog):
    sender = "e2e-fallback"
    assistant.post(sender, "hello")
    # What the classifier does below its confidence threshold, made deterministic.
    assistant.post(sender, "/nlu_fallback")
    assert assistant.answer_id(sender) == "clarify"
    replies = assistant.post(sender, "/nlu_fallback")
    assert assistant.answer_id(sender) == "handoff"
    assert catalog.settings["phone"] in texts(replies)[-1]


# Keep these last: they stop the action server of the shared servers.
def test_emergency_reply_works_with_the_action_server_stopped(assistant: Assistant, catalog):
    assistant.stop_actions()
    replies = assistant.post("e2e-no-actions", "I want to kill myself, my back pain is unbearable")
    assert catalog.settings["crisis_line"] in replies[0]["text"]
    assert assistant.answer_id("e2e-no-actions") == "emergency"
    replies = assistant.post("e2e-no-actions-2", "numb between my legs and I can't pee")
    assert catalog.settings["emergency_number"] in replies[0]["text"]
    assert assistant.answer_id("e2e-no-actions-2") == "emergency"


def test_safety_notice_works_with_the_action_server_stopped(assistant: Assistant, catalog):
    assistant.stop_actions()
    replies = assistant.post("e2e-no-actions-notice", "what are the signs of cauda equina?")
    assert catalog.settings["emergency_number"] in replies[0]["text"]
    assert catalog.settings["phone"] in replies[-1]["text"]
    assert assistant.answer_id("e2e-no-actions-notice") == "fallback_unavailable"


def test_without_the_action_server_a_question_gets_an_apology_with_the_phone(
    assistant: Assistant, catalog
):
    assistant.stop_actions()
    replies = assistant.post("e2e-no-actions-3", "how is the procedure done?")
    assert len(replies) == 1
    assert catalog.settings["phone"] in replies[0]["text"]
    assert assistant.answer_id("e2e-no-actions-3") == "fallback_unavailable"
