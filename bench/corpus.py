"""Scoring the assistant on a corpus of messages with their acceptable answers.

A corpus file (`tests/data/real/*.yml`, or the written held-out file converted by
`heldout_corpus`) is a list of messages, each with the answer ids that would be a
correct reply (`answers`), a `tag` (red_flag, near_miss, out_of_scope, not_covered,
therapy, other) and, for emergencies, the red-flag `category`.

A prediction is what the assistant did with the message on its own: the answer id it
gave, the red-flag category of an emergency reply, and whether a safety notice
preceded the answer. The figures are those of issue "Real patients' words": answer
accuracy, per-id F1, red-flag recall per category, near-misses kept quiet,
out-of-scope messages given a therapy answer, clarify and safety-notice rates.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

EMERGENCY = "emergency"
CLARIFY = "clarify"
OUT_OF_SCOPE = "out_of_scope"
NEAR_MISS = "near_miss"
THERAPY_KINDS = ("therapy", "safety")


@dataclass(frozen=True)
class Item:
    text: str
    answers: tuple[str, ...]
    tag: str
    category: str | None = None
    source: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Prediction:
    answer: str
    category: str | None = None  # of an emergency reply
    notice: str | None = None  # category of a safety notice


def read_corpus(path: Path) -> list[Item]:
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [
        Item(
            text=str(e["text"]),
            answers=tuple(e["answers"]),
            tag=str(e["tag"]),
            category=e.get("category"),
            source=e.get("source"),
            kind=e.get("kind"),
        )
        for e in entries
    ]


def heldout_corpus(
    pairs: Sequence[tuple[str, str]], intent_to_answer: dict[str, str]
) -> list[Item]:
    """The written held-out file (text, intent) as a corpus with one answer each.

    Elliptical follow-ups (`inform`: "and for stenosis?") are left out: their answer
    depends on the previous one, and a message alone has none.
    """
    items = []
    for text, intent in pairs:
        if intent == "inform":
            continue
        answer = EMERGENCY if intent == "red_flag" else intent_to_answer.get(intent, intent)
        tag = "red_flag" if answer == EMERGENCY else "therapy"
        items.append(Item(text, (answer,), tag))
    return items


def _f1(tp: int, fp: int, fn: int) -> float:
    denominator = 2 * tp + fp + fn
    return 2 * tp / denominator if denominator else 0.0


def score(
    items: Sequence[Item], predictions: Sequence[Prediction], therapy_ids: set[str]
) -> dict[str, Any]:
    """All figures for one corpus; `therapy_ids` are the catalog's therapy/safety answers."""
    if len(items) != len(predictions):
        raise ValueError("one prediction per item")
    pairs = list(zip(items, predictions, strict=True))
    correct = [p.answer in i.answers for i, p in pairs]
    # Per-id F1 over single labels: the predicted id when acceptable, else the first.
    gold = [p.answer if ok else i.answers[0] for (i, p), ok in zip(pairs, correct, strict=True)]
    predicted = [p.answer for p in predictions]
    per_id = {}
    for label in sorted(set(gold)):
        tp = sum(g == label and q == label for g, q in zip(gold, predicted, strict=True))
        fp = sum(g != label and q == label for g, q in zip(gold, predicted, strict=True))
        fn = sum(g == label and q != label for g, q in zip(gold, predicted, strict=True))
        per_id[label] = {"f1": _f1(tp, fp, fn), "support": tp + fn}
    emergencies = [(i, p) for i, p in pairs if EMERGENCY in i.answers]
    recall: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item, prediction in emergencies:
        counts = recall[item.category or "unspecified"]
        counts[1] += 1
        counts[0] += prediction.answer == EMERGENCY
    near = [(i, p) for i, p in pairs if i.tag == NEAR_MISS]
    out_of_scope = [(i, p) for i, p in pairs if i.answers[0] == OUT_OF_SCOPE]
    therapy_for_oos = [
        i.text for i, p in out_of_scope if p.answer in therapy_ids and p.answer not in i.answers
    ]
    total = len(items) or 1
    return {
        "messages": len(items),
        "answer_accuracy": sum(correct) / total,
        "per_id": per_id,
        "macro_f1": sum(v["f1"] for v in per_id.values()) / (len(per_id) or 1),
        "red_flags": len(emergencies),
        "red_flag_recall": _ratio(sum(p.answer == EMERGENCY for _, p in emergencies), emergencies),
        "red_flag_recall_by_category": {c: tuple(v) for c, v in sorted(recall.items())},
        # the emergency reply, or at least the one urgent-care line before another answer
        "red_flag_any_urgent_care": _ratio(
            sum(p.answer == EMERGENCY or p.notice is not None for _, p in emergencies), emergencies
        ),
        "red_flag_category_correct": _ratio(
            sum(p.category == i.category for i, p in emergencies if p.answer == EMERGENCY),
            [1 for _, p in emergencies if p.answer == EMERGENCY],
        ),
        "near_misses": len(near),
        "near_miss_quiet": _ratio(sum(p.answer != EMERGENCY for _, p in near), near),
        "near_miss_notice": _ratio(sum(p.notice is not None for _, p in near), near),
        "out_of_scope_messages": len(out_of_scope),
        "out_of_scope_given_therapy": len(therapy_for_oos),
        "false_alarms": sum(p.answer == EMERGENCY for i, p in pairs if EMERGENCY not in i.answers),
        "clarify_rate": sum(p.answer == CLARIFY for p in predictions) / total,
        "safety_notice_rate": sum(p.notice is not None for p in predictions) / total,
        "errors": [
            {"text": i.text, "answers": list(i.answers), "predicted": p.answer, "tag": i.tag}
            for (i, p), ok in zip(pairs, correct, strict=True)
            if not ok
        ],
        "confusions": Counter(
            (i.answers[0], p.answer) for (i, p), ok in zip(pairs, correct, strict=True) if not ok
        ).most_common(10),
    }


def _ratio(numerator: int, population: Sequence[Any]) -> float:
    return numerator / len(population) if population else 1.0


def format_summary(name: str, figures: dict[str, Any]) -> str:
    """A short, printable table of the main figures."""
    by_category = ", ".join(
        f"{c} {hit}/{n}" for c, (hit, n) in figures["red_flag_recall_by_category"].items()
    )
    lines = [
        f"{name}: {figures['messages']} messages",
        f"  answer accuracy          {figures['answer_accuracy']:.3f}",
        f"  macro F1 (answer ids)    {figures['macro_f1']:.3f}",
        f"  red-flag recall          {figures['red_flag_recall']:.3f}"
        f" ({figures['red_flags']}: {by_category})",
        f"  ... or the urgent-care line {figures['red_flag_any_urgent_care']:.3f}",
        f"  near-misses kept quiet   {figures['near_miss_quiet']:.3f} ({figures['near_misses']})"
        f", with a safety notice {figures['near_miss_notice']:.3f}",
        f"  false alarms (all)       {figures['false_alarms']}",
        f"  out-of-scope -> therapy  {figures['out_of_scope_given_therapy']}"
        f" of {figures['out_of_scope_messages']}",
        f"  clarify rate             {figures['clarify_rate']:.3f}",
        f"  safety-notice rate       {figures['safety_notice_rate']:.3f}",
    ]
    return "\n".join(lines)
