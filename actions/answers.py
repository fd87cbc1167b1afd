"""`action_answer`: answer the patient's question from the catalog."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import ASKED_SLOT, asks_again, comment_events
from actions.rendering import render
from actions.welcome import reply
from clinic.catalog import Answer, Catalog, load_catalog

FOLLOW_UP_INTENT = "inform"
# Where an elliptical follow-up ("what about ultrasound?") goes when the previous
# answer has no variant for the term named.
TOPIC_FOR_ENTITY = {"condition": "conditions", "imaging": "imaging_guidance"}


def _entities(tracker: Tracker) -> list[tuple[str, str]]:
    return [
        (entity["entity"], str(entity["value"]))
        for entity in tracker.latest_message.get("entities", [])
        if entity.get("entity") and entity.get("value") is not None
    ]


def _variant(answer: Answer, entities: list[tuple[str, str]]) -> Answer | None:
    for entity, value in entities:
        variant = answer.variants.get(value)
        if variant and (variant.entity in (None, entity)):
            return variant
    return None


def choose_answer(catalog: Catalog, tracker: Tracker) -> tuple[Answer, Answer | None]:
    """The catalog entry (and its entity variant, if any) for the latest message."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    entities = _entities(tracker)
    if intent == FOLLOW_UP_INTENT:
        previous = tracker.get_slot("answer_id")
        candidates = [catalog.answers[previous]] if previous in catalog.answers else []
        candidates += [
            catalog[TOPIC_FOR_ENTITY[entity]]
            for entity, _ in entities
            if entity in TOPIC_FOR_ENTITY
        ]
        for answer in candidates:
            variant = _variant(answer, entities)
            if variant:
                return answer, variant
        if len(candidates) > 1:
            return candidates[1], None
        return catalog["clarify"], None
    answer = catalog.for_intent(intent) if intent else None
    if answer is None:
        return catalog["clarify"], None
    return answer, _variant(answer, entities)


class ActionAnswer(Action):
    def name(self) -> str:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        catalog = load_catalog()
        answer, variant = choose_answer(catalog, tracker)
        ask = asks_again(catalog, tracker, answer.id)
        message = render(catalog, variant or answer, ask_feedback=ask)
        events = reply(dispatcher, tracker, catalog, answer, message)
        return [
            *comment_events(tracker),
            *events,
            SlotSet(ASKED_SLOT, answer.id if ask else None),
            SlotSet("answer_id", answer.id),
            SlotSet("answer_variant", variant.id if variant else None),
        ]
