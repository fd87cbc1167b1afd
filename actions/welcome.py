"""The welcome: one greeting plus the general-information disclaimer, once a session.

It is sent with the first reply of a session rather than by the session start
itself, so that a patient whose first message is a red flag gets the urgent-care
reply first and nothing before it. Channels that open a session explicitly
(`rasa shell`, the website widget) get it at once from `action_session_start`.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.rendering import render
from clinic.catalog import Answer, Catalog

WELCOMED_SLOT = "welcomed"


def reply(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    catalog: Catalog,
    answer: Answer,
    message: dict[str, Any],
) -> list[EventType]:
    """Send `message`, preceded by the welcome if this session has not had it yet."""
    if tracker.get_slot(WELCOMED_SLOT):
        dispatcher.utter_message(**message)
        return []
    welcome = render(catalog, catalog["welcome"])
    if answer.id == "greet":
        # A greeting after a greeting reads oddly: the welcome answers "hello".
        dispatcher.utter_message(**{**message, "text": welcome["text"]})
    else:
        # The answer's own buttons follow; the welcome's would only compete with them.
        dispatcher.utter_message(text=welcome["text"])
        dispatcher.utter_message(**message)
    return [SlotSet(WELCOMED_SLOT, True)]
