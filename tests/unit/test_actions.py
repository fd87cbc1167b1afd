"""Custom actions, in the financial-demo style: a CollectingDispatcher, tracker
states from JSON fixtures, and exact answer ids and events."""

from __future__ import annotations

import pytest
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswer
from actions.fallback import ActionClarify
from actions.rendering import source_line
from actions.session import ActionSessionStart
from clinic.catalog import Catalog

DOMAIN: dict = {}


def message(intent: str, text: str = "a question", entities: list | None = None) -> dict:
    return {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [{"name": intent, "confidence": 0.9}],
        "entities": entities or [],
    }


async def run(action, tracker) -> tuple[CollectingDispatcher, list]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, DOMAIN)
    return dispatcher, events


def answered(events: list) -> tuple[str, str | None]:
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return slots["answer_id"], slots["answer_variant"]


async def test_every_intent_of_the_catalog_gets_its_answer(catalog: Catalog, tracker_state):
    for answer in catalog.answers.values():
        if not answer.intent or answer.intent in ("red_flag", "nlu_fallback"):
            continue
        tracker = tracker_state(
            "new_conversation", latest_message=message(answer.intent), slots={"welcomed": True}
        )
        dispatcher, events = await run(ActionAnswer(), tracker)
        assert answered(events) == (answer.id, None), answer.intent
        assert dispatcher.messages[0]["text"].startswith(catalog.fill(answer.text))


async def test_answer_shows_text_then_source_then_buttons(catalog: Catalog, tracker_state):
    tracker = tracker_state(
        "new_conversation", latest_message=message("ask_procedure"), slots={"welcomed": True}
    )
    dispatcher, events = await run(ActionAnswer(), tracker)
    assert events == [
        SlotSet("feedback_asked", "procedure"),
        SlotSet("answer_id", "procedure"),
        SlotSet("answer_variant", None),
    ]
    [sent] = dispatcher.messages
    text, source, prompt = sent["text"].split("\n\n")
    assert text == catalog["procedure"].text
    assert source == f"Source: {catalog['procedure'].sources[0].section}"
    assert prompt == catalog["feedback_prompt"].text
    assert [b["payload"] for b in sent["buttons"]] == [
        '/feedback{"helpful": "yes", "feedback_answer": "procedure"}',
        '/feedback{"helpful": "no", "feedback_answer": "procedure"}',
        "/ask_imaging_guidance",
        "/ask_safety",
        "/ask_not_covered",
    ]
    assert [b["title"] for b in sent["buttons"][:2]] == list(
        catalog["feedback_prompt"].choices.values()
    )


def test_source_line_names_every_organisation(catalog: Catalog):
    line = source_line(catalog["safety"])
    assert line.startswith(f"Sources: {catalog['safety'].sources[0].section};")
    assert "US Food and Drug Administration (FDA), Important Patient and Consumer" in line
    assert "International Society for Stem Cell Research (ISSCR)" in line


@pytest.mark.parametrize(
    ("value", "expected_phrase"),
    [
        ("herniated_disc", "herniated disc"),
        ("spinal_stenosis", "Spinal stenosis"),
        ("osteoarthritis", "Osteoarthritis"),
        ("degenerative_disc_disease", "Degenerative disc disease"),
        ("joint_soft_tissue_injury", "soft tissues"),
    ],
)
async def test_conditions_question_naming_a_condition_gets_its_variant(
    catalog: Catalog, tracker_state, value: str, expected_phrase: str
):
    entities = [{"entity": "condition", "value": value, "start": 0, "end": 1}]
    tracker = tracker_state(
        "new_conversation",
        latest_message=message("ask_conditions", entities=entities),
        slots={"welcomed": True},
    )
    dispatcher, events = await run(ActionAnswer(), tracker)
    assert answered(events) == ("conditions", value)
    assert expected_phrase in dispatcher.messages[0]["text"]


async def test_follow_up_after_conditions_gives_the_stenosis_variant(catalog, tracker_state):
    dispatcher, events = await run(ActionAnswer(), tracker_state("after_conditions_answer"))
    assert answered(events) == ("conditions", "spinal_stenosis")
    assert dispatcher.messages[0]["text"].startswith(
        catalog["conditions"].variants["spinal_stenosis"].text
    )


async def test_follow_up_naming_a_condition_after_another_topic_goes_to_conditions(
    tracker_state,
):
    tracker = tracker_state("after_conditions_answer", slots={"answer_id": "safety"})
    _, events = await run(ActionAnswer(), tracker)
    assert answered(events) == ("conditions", "spinal_stenosis")


async def test_follow_up_without_a_known_term_asks_to_clarify(tracker_state):
    tracker = tracker_state(
        "after_conditions_answer", latest_message=message("inform", "and the other one?")
    )
    _, events = await run(ActionAnswer(), tracker)
    assert answered(events) == ("clarify", None)


async def test_first_reply_of_a_session_starts_with_the_welcome(catalog, tracker_state):
    tracker = tracker_state("new_conversation", latest_message=message("ask_safety"))
    dispatcher, events = await run(ActionAnswer(), tracker)
    welcome, answer = dispatcher.messages
    assert "general information, not medical advice" in welcome["text"]
    assert not welcome["buttons"]
    assert f"call {catalog.settings['emergency_number']}" in welcome["text"]
    assert answer["text"].startswith(catalog.fill(catalog["safety"].text))
    assert events[0] == SlotSet("welcomed", True)
    assert answered(events) == ("safety", None)


async def test_hello_as_first_message_is_answered_by_the_welcome_alone(catalog, tracker_state):
    dispatcher, events = await run(ActionAnswer(), tracker_state("new_conversation"))
    [sent] = dispatcher.messages
    assert sent["text"] == catalog.fill(catalog["welcome"].text)
    assert sent["buttons"]
    assert answered(events) == ("greet", None)


async def test_placeholders_are_filled_from_the_clinic_settings(catalog, tracker_state):
    tracker = tracker_state(
        "new_conversation", latest_message=message("request_human"), slots={"welcomed": True}
    )
    dispatcher, _ = await run(ActionAnswer(), tracker)
    text = dispatcher.messages[0]["text"]
    assert catalog.settings["phone"] in text
    assert catalog.settings["booking_link"] in text
    assert "{" not in text


async def test_unsure_once_asks_with_best_guesses(tracker_state):
    dispatcher, events = await run(ActionClarify(), tracker_state("unsure"))
    assert answered(events) == ("clarify", None)
    payloads = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert payloads == ["/ask_procedure", "/ask_safety", "/request_human"]


async def test_unsure_twice_in_a_row_hands_over_to_staff(catalog, tracker_state):
    tracker = tracker_state("unsure", slots={"answer_id": "clarify", "welcomed": True})
    dispatcher, events = await run(ActionClarify(), tracker)
    assert answered(events) == ("handoff", None)
    assert catalog.settings["phone"] in dispatcher.messages[0]["text"]


async def test_session_start_opened_by_a_channel_greets_with_the_disclaimer(catalog, tracker_state):
    tracker = tracker_state("new_conversation", latest_message=message("session_start"))
    dispatcher, events = await run(ActionSessionStart(), tracker)
    assert events == [SessionStarted(), SlotSet("welcomed", True), ActionExecuted("action_listen")]
    [welcome] = dispatcher.messages
    assert "not medical advice" in welcome["text"]
    assert catalog.settings["emergency_number"] in welcome["text"]


async def test_session_start_before_a_patient_message_sends_nothing(tracker_state):
    tracker = tracker_state("new_conversation", latest_message={})
    dispatcher, events = await run(ActionSessionStart(), tracker)
    assert events == [SessionStarted(), ActionExecuted("action_listen")]
    assert dispatcher.messages == []
