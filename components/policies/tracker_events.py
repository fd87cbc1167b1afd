"""What happened in a conversation since the patient's last message."""

from __future__ import annotations

from rasa.shared.core.events import Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


def events_since_patient(tracker: DialogueStateTracker) -> list[Event]:
    """Events after the latest user message, newest first."""
    events: list[Event] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        events.append(event)
    return events
