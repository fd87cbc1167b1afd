"""Feedback on answers (actions/feedback.py): asked after catalog answers, checked, thanked."""

from __future__ import annotations

from rasa_sdk.events import SlotSet

from actions.answers import ActionAnswer
from actions.feedback import ActionFeedback
from clinic.catalog import Catalog
from tests.unit.test_actions import message, run


def slots(events: list) -> dict:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def payload(helpful: str, answer: str) -> dict:
    entities = [
        {"entity": "helpful", "value": helpful},
        {"entity": "feedback_answer", "value": answer},
    ]
    return message("feedback", f"/feedback{{...{helpful}}}", entities)


async def test_therapy_and_service_answers_ask_small_talk_does_not(catalog, tracker_state):
    for intent, asks in [("ask_safety", True), ("ask_not_covered", True), ("greet", False),
                         ("thank", False), ("request_human", True)]:  # fmt: skip
        tracker = tracker_state(
            "new_conversation", latest_message=message(intent), slots={"welcomed": True}
        )
        dispatcher, events = await run(ActionAnswer(), tracker)
        text = dispatcher.messages[-1]["text"]
        assert text.endswith(catalog["feedback_prompt"].text) is asks, intent
        assert (slots(events)["feedback_asked"] is not None) is asks, intent
    assert not catalog["emergency"].asks_feedback


async def test_never_twice_in_a_row_for_one_answer(catalog, tracker_state):
    state = {"welcomed": True, "answer_id": "safety", "feedback_asked": "safety"}
    tracker = tracker_state("new_conversation", latest_message=message("ask_safety"), slots=state)
    dispatcher, events = await run(ActionAnswer(), tracker)
    assert catalog["feedback_prompt"].text not in dispatcher.messages[-1]["text"]
    assert slots(events)["feedback_asked"] is None
    state["answer_id"] = "procedure"  # another answer in between: asked again
    tracker = tracker_state("new_conversation", latest_message=message("ask_safety"), slots=state)
    dispatcher, _ = await run(ActionAnswer(), tracker)
    assert dispatcher.messages[-1]["text"].endswith(catalog["feedback_prompt"].text)


async def test_thumbs_up_is_recorded_and_thanked(catalog: Catalog, tracker_state):
    state = {"welcomed": True, "answer_id": "procedure", "feedback_asked": "procedure"}
    tracker = tracker_state("new_conversation", latest_message=payload("yes", "procedure"),
                            slots=state)  # fmt: skip
    dispatcher, events = await run(ActionFeedback(), tracker)
    assert dispatcher.messages[0]["text"] == catalog.fill(catalog["feedback_thanks"].text)
    assert slots(events) == {"feedback": "procedure:yes", "feedback_asked": None,
                             "answer_id": "feedback_thanks", "answer_variant": None}  # fmt: skip


async def test_thumbs_down_asks_what_was_missing_and_keeps_the_next_message(catalog, tracker_state):
    state = {"welcomed": True, "answer_id": "procedure", "feedback_asked": "procedure"}
    tracker = tracker_state("new_conversation", latest_message=payload("no", "procedure"),
                            slots=state)  # fmt: skip
    dispatcher, events = await run(ActionFeedback(), tracker)
    assert dispatcher.messages[0]["text"].startswith("Thank you for telling us. What were you")
    assert slots(events)["feedback"] == "procedure:no"
    assert slots(events)["feedback_pending"] == "procedure"

    state = {**state, **slots(events)}
    comment = message("ask_not_covered", "I wanted to know the price")
    tracker = tracker_state("new_conversation", latest_message=comment, slots=state)
    dispatcher, events = await run(ActionAnswer(), tracker)
    assert events[:2] == [
        SlotSet("feedback_comment", "I wanted to know the price"),
        SlotSet("feedback_pending", None),
    ]
    assert slots(events)["answer_id"] == "not_covered"  # and it is answered as usual


async def test_a_forged_payload_is_thanked_but_not_recorded(catalog, tracker_state):
    for helpful, answer in [("yes", "no_such_answer"), ("maybe", "procedure"),
                            ("no", "greet"), ("yes", "emergency")]:  # fmt: skip
        tracker = tracker_state("new_conversation", latest_message=payload(helpful, answer),
                                slots={"welcomed": True})  # fmt: skip
        _, events = await run(ActionFeedback(), tracker)
        assert "feedback" not in slots(events), (helpful, answer)
        assert slots(events)["answer_id"] == "feedback_thanks"


async def test_typed_feedback_is_read_for_the_answer_just_asked_about(catalog, tracker_state):
    state = {"welcomed": True, "answer_id": "safety", "feedback_asked": "safety"}
    for text, expected in [("that didn't help", "safety:no"), ("👍", "safety:yes")]:
        tracker = tracker_state("new_conversation", latest_message=message("feedback", text),
                                slots=state)  # fmt: skip
        _, events = await run(ActionFeedback(), tracker)
        assert slots(events)["feedback"] == expected
