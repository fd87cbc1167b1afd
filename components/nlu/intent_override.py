"""Setting a message's intent from a deterministic rule, over the classifier's guess."""

from __future__ import annotations

from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message


def _ranking_without(message: Message, name: str) -> list[dict]:
    return [
        dict(item)
        for item in message.get(INTENT_RANKING_KEY) or []
        if item.get(INTENT_NAME_KEY) != name
    ]


def predicted_intent(message: Message) -> str | None:
    return (message.get(INTENT) or {}).get(INTENT_NAME_KEY)


def override_intent(message: Message, name: str) -> None:
    """Make `name` the intent with confidence 1.0, first in the ranking."""
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
    message.set(INTENT, intent, add_to_output=True)
    message.set(
        INTENT_RANKING_KEY, [dict(intent), *_ranking_without(message, name)], add_to_output=True
    )


def demote_intent(message: Message, name: str, fallback_threshold: float = 0.0) -> str:
    """Replace a classifier guess of `name` by the next-best intent (or the fallback
    intent when that one is below `fallback_threshold`); returns the new intent."""
    ranking = _ranking_without(message, name)
    if ranking and ranking[0].get(PREDICTED_CONFIDENCE_KEY, 0.0) >= fallback_threshold:
        intent = dict(ranking[0])
    else:
        intent = {
            INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
            PREDICTED_CONFIDENCE_KEY: max(fallback_threshold, 0.0),
        }
        ranking.insert(0, dict(intent))
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
    return intent[INTENT_NAME_KEY]
