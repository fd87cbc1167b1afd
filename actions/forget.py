"""`action_forget_conversation`: "delete my chat", after a confirmation.

The first time it asks (Yes / No buttons: `/forget_me{"confirm": "yes"|"no"}`). A yes
sets the slot `forget_conversation`; the conversation store deletes every stored
event of the conversation when it saves this turn (components/runtime/tracker_store.py),
so the patient's words are gone from every store that keeps them.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.rendering import render
from actions.welcome import reply
from clinic.catalog import load_catalog

FORGET_SLOT = "forget_conversation"


class ActionForgetConversation(Action):
    def name(self) -> str:
        return "action_forget_conversation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        catalog = load_catalog()
        confirm = next(
            (str(e.get("value")) for e in tracker.latest_message.get("entities", [])
             if e.get("entity") == "confirm"), None,
        )  # fmt: skip
        events: list[EventType] = []
        if confirm == "yes":
            answer = catalog["forget_done"]
            events.append(SlotSet(FORGET_SLOT, True))
            message = render(catalog, answer)
        elif confirm == "no":
            answer = catalog["forget_kept"]
            message = render(catalog, answer)
        else:
            answer = catalog["forget_confirm"]
            message = render(catalog, answer)
            message["buttons"] = [
                {"title": title, "payload": "/forget_me" + json.dumps({"confirm": value})}
                for value, title in answer.choices.items()
            ]
        events = [*reply(dispatcher, tracker, catalog, answer, message), *events]
        return [*events, SlotSet("answer_id", answer.id), SlotSet("answer_variant", None)]
