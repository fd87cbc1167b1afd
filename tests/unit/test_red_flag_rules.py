"""Red-flag rules (components/nlu/red_flags/) on tests/data/red_flags.yml and set cases.

Every positive must be found with its category and no negative may be raised; odd
input, priorities, offsets and broken pattern files are checked too.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from components.nlu.red_flags import (
    RedFlagMatch,
    RedFlagMatcher,
    load_patterns_file,
)
from components.nlu.red_flags.matcher import CLEAR, POSSIBLE
from tests.unit.red_flag_data import (
    CATEGORIES,
    NEGATIVES,
    NLU_DATA,
    PATTERNS,
    POSITIVES,
)


def nlu_examples() -> list[str]:
    """The red_flag training examples of data/nlu/ (written and real)."""
    examples = load_data(str(NLU_DATA.parent)).intent_examples
    return [e.get("text") for e in examples if e.get("intent") == "red_flag"]


@pytest.fixture(scope="module")
def matcher() -> RedFlagMatcher:
    return RedFlagMatcher.from_config(load_patterns_file(PATTERNS))


def explain(matcher: RedFlagMatcher, text: str) -> str:
    lines = [f"  {m.category}: {m.text!r} -> {verdict}" for m, verdict in matcher.explain(text)]
    return "\n".join(lines) or "  (no pattern matched)"


# ---------------------------------------------------------------------------
# The test data itself
# ---------------------------------------------------------------------------


def test_test_data_is_large_and_covers_every_category(matcher: RedFlagMatcher) -> None:
    counts = collections.Counter(item["category"] for item in POSITIVES)
    assert len(POSITIVES) >= 80
    assert len(NEGATIVES) >= 80
    assert matcher.categories == CATEGORIES
    assert matcher.categories[:2] == ["suicidal", "cauda_equina"]
    for category in CATEGORIES:
        assert counts[category] >= 7, category


def test_test_data_has_no_duplicates_and_differs_from_training_data() -> None:
    texts = [item["text"].lower() for item in POSITIVES] + [text.lower() for text in NEGATIVES]
    assert len(texts) == len(set(texts))
    training = {text.lower() for text in nlu_examples()}
    assert len(training) >= 35
    assert not training.intersection(texts)


def test_report_counts(matcher: RedFlagMatcher) -> None:
    """Prints the sizes (visible with `pytest -s`)."""
    counts = collections.Counter(item["category"] for item in POSITIVES)
    print("\nred-flag patterns (patterns + phrases) and test positives per category:")
    for category in matcher.categories:
        print(f"  {category:16} {matcher.pattern_counts[category]:4}  {counts[category]:3}")
    print(f"  positives: {len(POSITIVES)}, negatives: {len(NEGATIVES)}")
    assert sum(matcher.pattern_counts.values()) > 0


# ---------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("item", POSITIVES, ids=[p["text"][:60] for p in POSITIVES])
def test_positive_is_found_with_its_category(matcher: RedFlagMatcher, item: dict) -> None:
    match = matcher.find(item["text"])
    assert match is not None, f"missed:\n{explain(matcher, item['text'])}"
    assert match.category == item["category"], explain(matcher, item["text"])
    assert item["text"][match.start : match.end] == match.text


@pytest.mark.parametrize("text", NEGATIVES, ids=[n[:60] for n in NEGATIVES])
def test_negative_is_not_raised(matcher: RedFlagMatcher, text: str) -> None:
    match = matcher.find(text)
    assert match is None, f"false alarm {match}:\n{explain(matcher, text)}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I have a fever and my back hurts, is that normal?", "infection"),
        ("I can't control my bladder, should I worry?", "cauda_equina"),
        ("my dad can't feel his legs", "leg_weakness"),
        ("I've got numbess in my groin", "saddle_numbness"),
        ("cant pee since this morning", "cauda_equina"),
        ("does the injection affect bladder control?", None),
        ("can stem cells cause incontinence?", None),
        ("what is spinal stenosis", None),
        ("what are the risks of infection", None),
        ("is numbness a side effect", None),
        ("what should I do if I get a fever after the injection?", None),
        ("no fever", None),
        ("I don't have any numbness", None),
        ("no bladder problems, no leg weakness", None),
        ("I have never lost control of my bladder", None),
        ("never lost control", None),
        ("back pain without bladder problems", None),
        ("not numb", None),
        ("I'm dying to know the price", None),
        ("the cost is killing me", None),
        ("I fell in love with physio", None),
        ("is there a crash course on back care?", None),
        ("I had a fever last year", None),
        ("my back is hot after exercise", None),
        ("numbness is it a side effect?", None),
        ("my legs are not numb", None),
        ("my bladder is fine", None),
        ("I had cancer tests and they were clear", None),
    ],
)
def test_examples_from_the_brief(matcher: RedFlagMatcher, text: str, expected: str | None) -> None:
    match = matcher.find(text)
    assert (match.category if match else None) == expected, explain(matcher, text)


def test_most_serious_category_wins(matcher: RedFlagMatcher) -> None:
    text = "I fell off a ladder, now I can't pee and I want to end it all"
    assert matcher.find(text).category == "suicidal"
    assert matcher.find("I fell off a ladder and now I've wet myself").category == "cauda_equina"


def test_offsets_point_into_the_original_text(matcher: RedFlagMatcher) -> None:
    text = "Hello!  Since Tuesday I CAN’T PEE and my back hurts."
    match = matcher.find(text)
    assert match == RedFlagMatch("cauda_equina", "CAN’T PEE", 24, 33)
    assert text[match.start : match.end] == match.text


@pytest.mark.parametrize("text", ["", "   ", "?!", "😀", "a" * 3000])
def test_odd_input_is_not_raised(matcher: RedFlagMatcher, text: str) -> None:
    assert matcher.find(text) is None


def test_bad_pattern_files_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="categories"):
        RedFlagMatcher.from_config({"patterns": []})
    unquoted = {"categories": {"x": {"priority": 1, "rules": [{"patterns": [[{"LOWER": False}]]}]}}}
    with pytest.raises(ValueError, match="quote"):
        RedFlagMatcher.from_config(unquoted)
    with pytest.raises(ValueError, match="neither"):
        RedFlagMatcher.from_config({"categories": {"x": {"priority": 1, "rules": [{}]}}})
    misspelt = {"priority": 1, "rules": [{"phrases": ["numb"], "requires": ["bak_pain"]}]}
    with pytest.raises(ValueError, match="unknown contexts"):
        RedFlagMatcher.from_config({"categories": {"x": misspelt}})


@pytest.mark.parametrize(
    "text",
    [
        "this nerve pain is sometimes called the suicide disease",
        "I read about suicide rates among people with chronic back pain",
    ],
)
def test_suicide_as_a_topic_is_a_possible_red_flag_not_a_clear_one(
    matcher: RedFlagMatcher, text: str
) -> None:
    assessment = matcher.assess(text)
    assert assessment.tier == POSSIBLE
    assert assessment.match is not None and assessment.match.category == "suicidal"


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        # a story of a back spasm: one urgent-care line, not the emergency reply
        (
            "I did my back in on Tuesday. When I sat down that night I found I couldn't stand up.",
            POSSIBLE,
        ),
        # said alone, suddenly, or with weak or numb legs: the emergency reply
        ("i cant walk", CLEAR),
        ("I did my back in and since this morning I can't walk", CLEAR),
        ("I did my back in, my legs feel weak and I can't stand up", CLEAR),
    ],
)
def test_cant_walk_is_clear_when_sudden_brief_or_with_weak_legs(
    matcher: RedFlagMatcher, text: str, tier: str
) -> None:
    assert matcher.assess(text).tier == tier, explain(matcher, text)


@pytest.mark.parametrize(
    ("text", "tier", "category"),
    [
        # a leak since childbirth, a knock walked away from, pain on rolling over in bed,
        # heavy legs after a long day, numb feet put down to a neuropathy, a tight chest
        # with nerves, a fever before the injection, a figure of speech: one urgent-care line
        ("I leak a little when I cough, have done since giving birth, and my lower back aches",
         POSSIBLE, "cauda_equina"),
        ("slipped on the kitchen floor this morning, only a small fall and I can walk fine, "
         "back is a bit sore", POSSIBLE, "trauma"),
        ("my back pain wakes me at night when I turn over in bed", POSSIBLE, "cancer"),
        ("my legs feel heavy after a long day on my feet, is that my back?", POSSIBLE,
         "leg_weakness"),
        ("I'm diabetic with neuropathy and both my feet are numb, can I still have the injection?",
         POSSIBLE, "leg_weakness"),
        ("my chest gets tight when I'm nervous about needles, can I be sedated?", POSSIBLE,
         "chest"),
        ("I've got a bit of a temperature with a cold, should I move my injection on Friday?",
         POSSIBLE, "injection_site"),
        ("honestly I'd rather die than go through another fusion", POSSIBLE, "suicidal"),
        ("I can't live like this anymore, the sciatica is unbearable", POSSIBLE, "suicidal"),
        # without the explanation, or where it does not explain: the emergency reply
        ("I'm on chemo and both my legs have gone weak since yesterday", CLEAR, "leg_weakness"),
        ("I'm 80 with osteoporosis and had a small fall this morning, I can walk fine", CLEAR,
         "trauma"),
        ("since giving birth last week I can't pee and my back is agony", CLEAR, "cauda_equina"),
        ("I had the injection on Monday and now I've got a temperature", CLEAR, "injection_site"),
        ("I've started wetting myself and my lower back is agony", CLEAR, "cauda_equina"),
        ("my back pain wakes me every night and nothing eases it", CLEAR, "cancer"),
        ("both my feet have gone numb since this morning", CLEAR, "leg_weakness"),
    ],
)  # fmt: skip
def test_an_explained_symptom_is_possible_not_clear(
    matcher: RedFlagMatcher, text: str, tier: str, category: str
) -> None:
    assessment = matcher.assess(text)
    assert assessment.tier == tier, explain(matcher, text)
    assert assessment.match is not None and assessment.match.category == category


@pytest.mark.parametrize(
    "text",
    ["how much medication will I need after the injection?", "how many injections will I need?"],
)
def test_a_question_about_an_amount_is_not_an_overdose(matcher: RedFlagMatcher, text: str) -> None:
    assert matcher.assess(text).tier is None, explain(matcher, text)


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("I won't have the operation unless: 1) I become incontinent; 2) my legs go weak",
         POSSIBLE),
        ("the leaflet says go to A&E if: you can't pee; your bum goes numb", POSSIBLE),
        ("my symptoms: I've become incontinent; my legs are weak", CLEAR),
    ],
)  # fmt: skip
def test_a_list_after_a_conditional_is_not_a_report(
    matcher: RedFlagMatcher, text: str, tier: str
) -> None:
    assert matcher.assess(text).tier == tier, explain(matcher, text)


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("if the pain clinic turns me away again i'll kill myself", CLEAR),
        ("if they don't operate, I am going to end my life", CLEAR),
        # a hypothetical: the rules give the crisis line; the learned classifier may
        # raise it whole, which is safe
        ("if I ever felt like that I would kill myself, I'd never cope", POSSIBLE),
    ],
)  # fmt: skip
def test_a_threat_on_a_condition_counts(matcher: RedFlagMatcher, text: str, tier: str) -> None:
    assert matcher.assess(text).tier == tier, explain(matcher, text)
