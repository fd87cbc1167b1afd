"""`action_clarify`: the two-stage fallback.

First time the assistant is unsure, it asks the patient to rephrase and offers its
best guesses as buttons (`clarify`). If the very next message is not understood
either, it offers a person instead (`handoff`).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import comment_events
from actions.rendering import buttons, render
from actions.welcome import reply
from clinic.catalog import Catalog, load_catalog

MAX_GUESSES = 2
GUESSABLE_KINDS = ("therapy", "safety")


def best_guesses(catalog: Catalog, tracker: Tracker) -> tuple[str, ...]:
    """Answer ids of the classifier's next-best intents that name a catalog topic."""
    guesses = []
    for ranked in tracker.latest_message.get("intent_ranking", []):
        answer = catalog.for_intent(ranked.get("name", ""))
        if (
            answer
            and answer.kind in GUESSABLE_KINDS
            and answer.response is None
            and answer.id not in guesses
        ):
            guesses.append(answer.id)
        if len(guesses) == MAX_GUESSES:
            break
    return tuple(guesses)


class ActionClarify(Action):
    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        catalog = load_catalog()
        if tracker.get_slot("answer_id") == "clarify":
            answer = catalog["handoff"]
            message = render(catalog, answer)
        else:
            answer = catalog["clarify"]
            message = render(catalog, answer)
            guesses = best_guesses(catalog, tracker)
            if guesses:
                message["buttons"] = buttons(catalog, (*guesses, "handoff"))
        events = reply(dispatcher, tracker, catalog, answer, message)
        return [
            *comment_events(tracker),
            *events,
            SlotSet("answer_id", answer.id),
            SlotSet("answer_variant", None),
        ]
