"""Names that several files must agree on: checked against the files that define them.

Intents and answer ids come from content/catalog.yml, red-flag categories from
content/red_flags.yml (clinic/names.py); Rasa needs copies in domain.yml and
data/rules/, which these tests keep in step.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from clinic.names import (
    FALLBACK_INTENT,
    FEEDBACK_INTENT,
    FOLLOW_UP_INTENT,
    FORGET_INTENT,
    RED_FLAG_INTENT,
    answer_ids,
    answer_intents,
    red_flag_categories,
)

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
ANSWER_RULES = yaml.safe_load((ROOT / "data" / "rules" / "answers.yml").read_text("utf-8"))


def conditions(response: str, slot: str) -> list[str]:
    values = []
    for variation in DOMAIN["responses"][response]:
        for condition in variation.get("condition") or []:
            assert condition["name"] == slot
            values.append(condition["value"])
    return values


def test_the_domain_lists_exactly_the_intents_of_the_catalog():
    expected = {
        *answer_intents(),
        FOLLOW_UP_INTENT,
        RED_FLAG_INTENT,
        FEEDBACK_INTENT,
        FORGET_INTENT,
    }
    assert set(DOMAIN["intents"]) == expected
    assert FALLBACK_INTENT not in DOMAIN["intents"]  # Rasa adds it


def test_one_rule_sends_every_catalog_intent_to_the_answer_action():
    (rule,) = ANSWER_RULES["rules"]
    intents = [step["intent"] for step in rule["steps"][0]["or"]]
    assert sorted(intents) == sorted({*answer_intents(), FOLLOW_UP_INTENT})
    assert rule["steps"][1] == {"action": "action_answer"}


def test_every_red_flag_category_has_its_emergency_reply_and_safety_notice():
    categories = set(red_flag_categories())
    assert set(conditions("utter_emergency", "red_flag")) == categories
    assert set(conditions("utter_safety_notice", "safety_notice")) == categories
    # and one variation without a condition, for a category added later
    for response in ("utter_emergency", "utter_safety_notice"):
        assert sum(not v.get("condition") for v in DOMAIN["responses"][response]) == 1


def test_the_answer_id_slot_knows_the_emergency_id_of_the_catalog():
    mapping = DOMAIN["slots"]["answer_id"]["mappings"][0]
    assert mapping == {"type": "from_intent", "intent": RED_FLAG_INTENT, "value": "emergency"}
    assert "emergency" in answer_ids()
