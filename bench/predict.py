"""What the assistant answers to one message on its own, from the model's parse.

The same choice the running assistant makes: an emergency reply for the `red_flag`
intent, else the catalog answer `action_answer` picks (actions/answers.py), with
the safety notice when the red-flag detector saw a possible red flag.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker

from actions.answers import choose_answer
from bench.corpus import EMERGENCY, Prediction
from clinic.catalog import Catalog

RED_FLAG_INTENT = "red_flag"


def prediction_from_parse(parse: dict[str, Any], catalog: Catalog) -> Prediction:
    entities = parse.get("entities") or []

    def entity(name: str) -> str | None:
        return next((str(e["value"]) for e in entities if e.get("entity") == name), None)

    if (parse.get("intent") or {}).get("name") == RED_FLAG_INTENT:
        return Prediction(EMERGENCY, category=entity("red_flag"))
    tracker = Tracker("evaluation", {}, parse, [], False, None, {}, "action_listen")
    answer, _ = choose_answer(catalog, tracker)
    return Prediction(answer.id, notice=entity("safety_notice"))


def model_parser(model: Path) -> Callable[[str], dict[str, Any]]:
    """Parse texts with a trained model in this process (no server)."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()

    def parse(text: str) -> dict[str, Any]:
        return loop.run_until_complete(agent.parse_message(text))

    return parse


def predict_all(
    parse: Callable[[str], dict[str, Any]], texts: Iterable[str], catalog: Catalog
) -> list[Prediction]:
    return [prediction_from_parse(parse(text), catalog) for text in texts]
