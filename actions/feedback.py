"""Feedback on answers: "Was this helpful?" 👍 / 👎 after a catalog answer.

The question and its two buttons come with the answer (actions/rendering.py). A
button sends `/feedback{"helpful": "yes"|"no", "feedback_answer": "<answer id>"}`;
a patient can type any payload, so both values are checked against the catalog.
`feedback` records "<answer id>:yes|no" (a slot that does not influence the
dialogue); after a 👎 the patient's next message, whatever it is, is also kept as
`feedback_comment` ("What were you looking for?") and answered as usual.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.rendering import render
from actions.welcome import reply
from clinic.catalog import Catalog, load_catalog

FEEDBACK_SLOT = "feedback"
COMMENT_SLOT = "feedback_comment"
PENDING_SLOT = "feedback_pending"
ASKED_SLOT = "feedback_asked"
NEGATIVE = re.compile(r"👎|\bnot\b|n['’]t\b|\bno\b|useless|unhelpful|wrong", re.IGNORECASE)


def asks_again(catalog: Catalog, tracker: Tracker, answer_id: str) -> bool:
    """Ask after this answer, unless it is the same answer as last time, just asked about."""
    answer = catalog.answers.get(answer_id)
    if answer is None or not answer.asks_feedback:
        return False
    repeated = tracker.get_slot("answer_id") == answer_id
    return not (repeated and tracker.get_slot(ASKED_SLOT) == answer_id)


def comment_events(tracker: Tracker) -> list[EventType]:
    """After a 👎: keep this message as the comment (once)."""
    if not tracker.get_slot(PENDING_SLOT):
        return []
    text = (tracker.latest_message.get("text") or "").strip()
    if not text or text.startswith("/"):
        return [SlotSet(PENDING_SLOT, None)]
    return [SlotSet(COMMENT_SLOT, text), SlotSet(PENDING_SLOT, None)]


def verdict(tracker: Tracker, catalog: Catalog) -> tuple[str, str] | None:
    """(answer id, "yes"|"no") from the payload or the typed words; None if not valid."""
    entities = {
        str(e.get("entity")): str(e.get("value"))
        for e in tracker.latest_message.get("entities", [])
        if e.get("value") is not None
    }
    answer_id = entities.get("feedback_answer") or tracker.get_slot(ASKED_SLOT)
    helpful = entities.get("helpful")
    if helpful is None:
        helpful = "no" if NEGATIVE.search(tracker.latest_message.get("text") or "") else "yes"
    answer = catalog.answers.get(answer_id or "")
    if answer is None or not answer.asks_feedback or helpful not in ("yes", "no"):
        return None
    return answer.id, helpful


class ActionFeedback(Action):
    def name(self) -> str:
        return "action_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        catalog = load_catalog()
        found = verdict(tracker, catalog)
        helpful = found[1] if found else "yes"
        answer = catalog["feedback_more" if helpful == "no" else "feedback_thanks"]
        events = reply(dispatcher, tracker, catalog, answer, render(catalog, answer))
        if found:
            events.append(SlotSet(FEEDBACK_SLOT, f"{found[0]}:{found[1]}"))
            if helpful == "no":
                events.append(SlotSet(PENDING_SLOT, found[0]))
        return [
            *events,
            SlotSet(ASKED_SLOT, None),
            SlotSet("answer_id", answer.id),
            SlotSet("answer_variant", None),
        ]
