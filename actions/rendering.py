"""Turn a catalog answer into the message a patient sees."""

from __future__ import annotations

import json
from typing import Any

from clinic.catalog import Answer, Catalog


def source_line(answer: Answer) -> str | None:
    """`Source: <section>` (or `Sources: a; b`) for answers that rest on a text."""
    labels = list(dict.fromkeys(source.label for source in answer.sources))
    if not labels:
        return None
    prefix = "Source" if len(labels) == 1 else "Sources"
    return f"{prefix}: {'; '.join(labels)}"


def buttons(catalog: Catalog, answer_ids: tuple[str, ...]) -> list[dict[str, str]]:
    """Follow-up buttons; the payload asks for the answer by its intent."""
    result = []
    for answer_id in answer_ids:
        target = catalog[answer_id]
        if target.intent and target.button:
            result.append({"title": target.button, "payload": f"/{target.intent}"})
    return result


def feedback_buttons(catalog: Catalog, answer: Answer) -> list[dict[str, str]]:
    """👍 / 👎 for `answer`; the payload names the answer (checked by action_feedback)."""
    prompt = catalog["feedback_prompt"]
    return [
        {
            "title": title,
            "payload": "/feedback" + json.dumps({"helpful": value, "feedback_answer": answer.id}),
        }
        for value, title in prompt.choices.items()
    ]


def render(catalog: Catalog, answer: Answer, ask_feedback: bool = False) -> dict[str, Any]:
    """Keyword arguments for `dispatcher.utter_message`: the text, its Source line, and
    (with `ask_feedback`) "Was this helpful?" with 👍 / 👎 before the follow-ups."""
    parts = [catalog.fill(answer.text)]
    line = source_line(answer)
    if line:
        parts.append(line)
    choices = []
    if ask_feedback:
        parts.append(catalog.fill(catalog["feedback_prompt"].text))
        choices = feedback_buttons(catalog, answer)
    message: dict[str, Any] = {"text": "\n\n".join(parts)}
    follow_ups = choices + buttons(catalog, answer.follow_ups)
    if follow_ups:
        message["buttons"] = follow_ups
    return message
