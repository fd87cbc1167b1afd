"""`action_session_start`: start a session; welcome channels that open one explicitly."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.rendering import render
from actions.welcome import WELCOMED_SLOT
from clinic.catalog import load_catalog

SESSION_START_INTENT = "session_start"


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        # `rasa shell` and the website widget send `/session_start` when they open:
        # greet them at once. Otherwise the welcome goes with the first reply.
        opened_by_channel = (tracker.latest_message.get("intent") or {}).get("name")
        if opened_by_channel == SESSION_START_INTENT:
            catalog = load_catalog()
            dispatcher.utter_message(**render(catalog, catalog["welcome"]))
            events.append(SlotSet(WELCOMED_SLOT, True))
        events.append(ActionExecuted("action_listen"))
        return events
