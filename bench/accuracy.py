"""Accuracy on the held-out NLU file: intents, answer ids, macro-F1, costly confusions.

The answer id of a prediction is the catalog entry whose `intent:` is the predicted
intent (content/catalog.yml); `inform` has no entry of its own (it repeats the
previous answer in a variant), so it maps to itself, and `nlu_fallback` maps to
`clarify` through its catalog entry.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

ENTITY_MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
INFORM = "inform"


def read_heldout(path: Path) -> list[tuple[str, str]]:
    """(text, intent) pairs of a Rasa 3 NLU YAML file, entity markup removed."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs: list[tuple[str, str]] = []
    for block in data.get("nlu", []):
        intent = block.get("intent")
        if not intent:
            continue
        for line in str(block.get("examples", "")).splitlines():
            line = line.strip()
            if line.startswith("- "):
                text = ENTITY_MARKUP.sub(r"\1", line[2:].strip())
                if text:
                    pairs.append((text, intent))
    return pairs


def answer_map(catalog: dict[str, Any]) -> dict[str, str]:
    """intent -> answer id, from the `intent:` field of each catalog entry."""
    mapping = {
        entry["intent"]: answer_id
        for answer_id, entry in catalog.get("answers", {}).items()
        if isinstance(entry, dict) and entry.get("intent")
    }
    mapping.setdefault(INFORM, INFORM)
    return mapping


def load_answer_map(path: Path) -> dict[str, str]:
    return answer_map(yaml.safe_load(path.read_text(encoding="utf-8")))


def answer_id(intent: str | None, mapping: dict[str, str]) -> str:
    """The answer a predicted intent leads to; unknown intents answer nothing."""
    if intent is None:
        return "none"
    return mapping.get(intent, f"unmapped:{intent}")


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    if not gold:
        return 0.0
    return sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Unweighted mean F1 over the classes of the test set.

    A prediction outside those classes (e.g. nlu_fallback) is a miss for the gold
    class and adds no class of its own.
    """
    labels = sorted(set(gold))
    if not labels:
        return 0.0
    scores = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        denominator = 2 * tp + fp + fn
        scores.append(2 * tp / denominator if denominator else 0.0)
    return sum(scores) / len(scores)


def confusion_pairs(
    gold: Sequence[str], predicted: Sequence[str], top: int = 5
) -> list[dict[str, Any]]:
    """The (gold -> predicted) errors that cost most, most frequent first."""
    counts = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"gold": g, "predicted": p, "count": n} for (g, p), n in ranked[:top]]


def evaluate(
    examples: Sequence[tuple[str, str]],
    predicted: Sequence[str],
    mapping: dict[str, str],
    top: int = 5,
) -> dict[str, Any]:
    gold = [intent for _, intent in examples]
    gold_answers = [answer_id(intent, mapping) for intent in gold]
    predicted_answers = [answer_id(intent, mapping) for intent in predicted]
    errors = [
        {"text": text, "gold": g, "predicted": p}
        for (text, g), p in zip(examples, predicted, strict=True)
        if g != p
    ]
    return {
        "examples": len(gold),
        "intent_accuracy": accuracy(gold, predicted),
        "answer_accuracy": accuracy(gold_answers, predicted_answers),
        "macro_f1": macro_f1(gold, predicted),
        "confusions": confusion_pairs(gold, predicted, top),
        "errors": errors,
    }


def rest_parser(url: str, token: str, timeout: float = 30) -> Callable[[str], str | None]:
    """Parse a text with a running Rasa server's /model/parse; returns the intent."""

    def parse(text: str) -> str | None:
        request = urllib.request.Request(
            f"{url}/model/parse?token={token}",
            data=json.dumps({"text": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return (json.loads(response.read()).get("intent") or {}).get("name")

    return parse


def predict_all(parse: Callable[[str], str | None], texts: Iterable[str]) -> list[str]:
    return [parse(text) or "none" for text in texts]
