"""The names other files must agree on, derived from the content files that define them.

- answer ids and the intents that ask for them: `content/catalog.yml`;
- red-flag categories: `content/red_flags.yml`.
Rasa needs some of them written out again (`domain.yml`, `data/rules/answers.yml`);
`tests/unit/test_names.py` checks those copies against these.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from clinic.catalog import load_catalog
from clinic.settings import content_dir
from clinic.strict_yaml import load_strict

RED_FLAG_INTENT = "red_flag"
FOLLOW_UP_INTENT = "inform"
FALLBACK_INTENT = "nlu_fallback"
FEEDBACK_INTENT = "feedback"  # answered by action_feedback
FORGET_INTENT = "forget_me"  # answered by action_forget_conversation
OWN_ACTION_INTENTS = (FALLBACK_INTENT, FEEDBACK_INTENT, FORGET_INTENT)


def answer_ids() -> list[str]:
    return list(load_catalog().answers)


def answer_intents() -> list[str]:
    """Intents answered by `action_answer` from the catalog, in catalog order."""
    return [
        a.intent
        for a in load_catalog().answers.values()
        if a.intent and a.intent not in OWN_ACTION_INTENTS and a.response is None
    ]


@cache
def red_flag_categories(path: Path | None = None) -> tuple[str, ...]:
    """Categories of the patterns file, most serious first."""
    patterns = load_strict(path or content_dir() / "red_flags.yml")
    ranked = sorted(patterns["categories"].items(), key=lambda item: int(item[1]["priority"]))
    return tuple(name for name, _ in ranked)
