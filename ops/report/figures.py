"""Every figure of the staff report, computed from patients' turns and the catalog."""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from clinic.catalog import Catalog
from clinic.lexicon import read_concepts, read_entities
from components.nlu.concepts import ConceptTagger
from ops.report.turns import Turn
from ops.stats import percentile

RATE_IDS = ("clarify", "not_covered", "out_of_scope", "handoff", "fallback_unavailable")
GAP_IDS = ("clarify", "not_covered", "out_of_scope")
SIMILAR = 0.5  # word overlap (Jaccard) from which two questions are one gap
# Concepts nearly every question names: they say nothing about which gap it is.
GENERIC_CONCEPTS = frozenset(
    "cx_treatment cx_stem_cells cx_back cx_injection cx_definition cx_tissue cx_tissue_disc"
    " cx_body_region cx_body_region_lumbar cx_body_region_spine".split()
)
STOPWORDS = set(
    "a an the is are was were be been am i me my you your it its this that of to in on for "
    "and or but with do does did can could would should will how what why when where which "
    "who there have has had so just please hi hello any about from at as by if".split()
)


@dataclass
class Gap:
    question: str
    count: int
    examples: list[str] = field(default_factory=list)
    answers: Counter = field(default_factory=Counter)


def day_of(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).date().isoformat()


def words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in STOPWORDS)


@cache
def tagger() -> ConceptTagger:
    return ConceptTagger(read_concepts(), read_entities())


def topic(text: str) -> frozenset[str]:
    """The specific concepts a question names ("how much", "price", "cost": cost)."""
    return frozenset(tagger().tags(text.lower())) - GENERIC_CONCEPTS


def similar(
    a: tuple[frozenset[str], frozenset[str]], b: tuple[frozenset[str], frozenset[str]]
) -> bool:
    """Same specific concepts, or most words shared."""
    (words_a, topic_a), (words_b, topic_b) = a, b
    if topic_a and topic_a == topic_b:
        return True
    union = words_a | words_b
    return bool(union) and len(words_a & words_b) / len(union) >= SIMILAR


def group_gaps(turns: Sequence[Turn]) -> list[Gap]:
    """The questions that ended in clarify / not_covered / out_of_scope, near-duplicates
    grouped (the same concepts of content/lexicon.yml, or shared words), most frequent
    first."""
    groups: list[tuple[tuple[frozenset[str], frozenset[str]], Gap]] = []
    for turn in turns:
        if turn.answer not in GAP_IDS or not turn.text.strip() or turn.text.startswith("/"):
            continue
        key = (words(turn.text), topic(turn.text))
        for seen, gap in groups:
            if similar(key, seen):
                gap.count += 1
                gap.answers[turn.answer] += 1
                if turn.text not in gap.examples and len(gap.examples) < 5:
                    gap.examples.append(turn.text)
                break
        else:
            groups.append((key, Gap(turn.text, 1, [turn.text], Counter({turn.answer: 1}))))
    return sorted((gap for _, gap in groups), key=lambda g: (-g.count, g.question))


def per_day(turns: Sequence[Turn]) -> list[dict[str, Any]]:
    conversations: dict[str, set[str]] = defaultdict(set)
    messages: Counter = Counter()
    for turn in turns:
        day = day_of(turn.timestamp)
        conversations[day].add(turn.conversation)
        messages[day] += 1
    return [
        {"day": day, "conversations": len(conversations[day]), "messages": messages[day]}
        for day in sorted(messages)
    ]


def feedback(turns: Sequence[Turn], catalog: Catalog) -> dict[str, Any]:
    """👍 / 👎 per answer, and every 👎 with the question, the answer, its source, a comment."""
    counts: dict[str, Counter] = defaultdict(Counter)
    downs = []
    by_conversation: dict[str, list[Turn]] = defaultdict(list)
    for turn in turns:
        by_conversation[turn.conversation].append(turn)
    for conversation in by_conversation.values():
        for index, turn in enumerate(conversation):
            value = turn.slots.get("feedback")
            if not value or ":" not in str(value):
                continue
            answer_id, helpful = str(value).rsplit(":", 1)
            counts[answer_id][helpful] += 1
            if helpful != "no":
                continue
            asked = next((t for t in reversed(conversation[:index]) if t.answer == answer_id), None)
            comment = next(
                (t.slots["feedback_comment"] for t in conversation[index + 1 :]
                 if t.slots.get("feedback_comment")), None,
            )  # fmt: skip
            answer = catalog.answers.get(answer_id)
            sources = "; ".join(s.label for s in answer.sources) if answer else ""
            downs.append({
                "day": day_of(turn.timestamp), "question": asked.text if asked else "",
                "answer": answer_id, "source": sources, "comment": comment or "",
            })  # fmt: skip
    table = [
        {"answer": answer_id, "up": c["yes"], "down": c["no"]}
        for answer_id, c in sorted(counts.items())
    ]
    return {"per_answer": table, "down": downs}


def compute(turns: Sequence[Turn], catalog: Catalog, days: int) -> dict[str, Any]:
    answers = Counter(t.answer for t in turns if t.answer)
    variants = Counter((t.answer, t.variant) for t in turns if t.answer and t.variant)
    total = len(turns) or 1
    offered = [a.id for a in catalog.answers.values() if a.intent or a.id == "clarify"]
    latencies = [t.reply_after_s * 1000 for t in turns if t.reply_after_s is not None]
    return {
        "days": days,
        "conversations": len({t.conversation for t in turns}),
        "messages": len(turns),
        "per_day": per_day(turns),
        "answers": answers.most_common(),
        "variants": [(a, v, n) for (a, v), n in variants.most_common()],
        "never_given": [answer_id for answer_id in offered if answer_id not in answers],
        "rates": {answer_id: answers[answer_id] / total for answer_id in RATE_IDS},
        "gaps": group_gaps(turns),
        "red_flags": [
            {"day": day_of(t.timestamp), "category": t.slots.get("red_flag") or "", "text": t.text}
            for t in turns
            if t.answer == "emergency"
        ],
        "red_flag_categories": Counter(
            t.slots.get("red_flag") or "unknown" for t in turns if t.answer == "emergency"
        ).most_common(),
        "notices": [
            {
                "day": day_of(t.timestamp),
                "category": t.slots["safety_notice"],
                "text": t.text,
                "answer": t.answer or "",
            }
            for t in turns
            if t.slots.get("safety_notice")
        ],
        "feedback": feedback(turns, catalog),
        "latency_ms": {
            "replies": len(latencies),
            "p50": percentile(latencies, 50) if latencies else None,
            "p95": percentile(latencies, 95) if latencies else None,
        },
    }
