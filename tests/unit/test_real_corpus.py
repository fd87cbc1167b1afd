"""The corpus of real patients' messages (tests/data/real/): size, labels, honest splits."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from bench.corpus import EMERGENCY, read_corpus
from bench.real_train import OUTPUT, render, training_examples

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "data" / "real"
SPLITS = ("train", "dev", "test")
KINDS = {"forum", "patient_qa", "consumer_health_collection", "patient_story", "clinic_faq"}
TAGS = {"red_flag", "near_miss", "out_of_scope", "not_covered", "therapy", "other"}
CORPUS = {split: read_corpus(REAL / f"{split}.yml") for split in SPLITS}
ALL = [item for items in CORPUS.values() for item in items]


@cache
def categories() -> frozenset[str]:
    patterns = yaml.safe_load((ROOT / "content" / "red_flags.yml").read_text(encoding="utf-8"))
    return frozenset(patterns["categories"])


@cache
def answer_ids() -> frozenset[str]:
    catalog = yaml.safe_load((ROOT / "content" / "catalog.yml").read_text(encoding="utf-8"))
    return frozenset(catalog["answers"])


def page(url: str) -> str:
    """A source page: scheme, 'www.', query and fragment do not make another page, and a
    dataset file is one page whatever question of it is taken."""
    parts = urlsplit(url)
    return (parts.netloc.lower().removeprefix("www.") + parts.path.rstrip("/")).lower()


def test_the_corpus_is_large_and_covers_what_the_issue_asks():
    tags = Counter(item.tag for item in ALL)
    print(f"\nreal messages: {len(ALL)}; by split: "
          f"{ {s: len(items) for s, items in CORPUS.items()} }; by tag: {dict(tags)}")  # fmt: skip
    print(f"by kind: {dict(Counter(item.kind for item in ALL))}")
    assert len(ALL) >= 500
    assert tags["red_flag"] >= 120
    assert tags["near_miss"] >= 60
    assert (
        sum(item.answers[0] == "out_of_scope" and item.tag == "out_of_scope" for item in ALL) >= 120
    )
    assert sum("not_covered" in item.answers for item in ALL) >= 80
    by_category = Counter(item.category for item in ALL if item.tag == "red_flag")
    assert set(by_category) == categories()


@pytest.mark.parametrize("split", SPLITS)
def test_every_message_has_a_source_and_valid_labels(split: str):
    known = answer_ids() | {EMERGENCY}
    for item in CORPUS[split]:
        assert item.text.strip(), item
        assert item.source and item.source.startswith(("http://", "https://")), item
        assert item.kind in KINDS, item
        assert item.tag in TAGS, item
        assert item.answers and set(item.answers) <= known, item
        assert len(set(item.answers)) == len(item.answers), item
        if EMERGENCY in item.answers:
            assert item.answers == (EMERGENCY,) and item.tag == "red_flag", item
            assert item.category in categories(), item
        else:
            assert item.category is None and item.tag != "red_flag", item


def test_no_page_gives_messages_to_two_splits():
    owner: dict[str, str] = {}
    for split, items in CORPUS.items():
        for item in items:
            assert owner.setdefault(page(item.source), split) == split, item.source


def test_no_message_is_copied_across_splits():
    """Mirrors of one post on two sites: no 8-word run appears in two splits."""
    seen: dict[str, str] = {}
    for split, items in CORPUS.items():
        for item in items:
            words = re.findall(r"[a-z']+", item.text.lower())
            for k in range(len(words) - 7):
                shingle = " ".join(words[k : k + 8])
                assert seen.setdefault(shingle, split) == split, (shingle, item.source)


def test_dev_and_test_are_never_trained_on():
    trained = {
        re.sub(r"\W+", " ", e.get("text").lower()).strip()
        for e in load_data(str(ROOT / "data" / "nlu")).intent_examples
    }
    for split in ("dev", "test"):
        for item in CORPUS[split]:
            assert re.sub(r"\W+", " ", item.text.lower()).strip() not in trained, item.text


def test_real_patients_training_file_is_made_from_the_train_split():
    expected = render(training_examples(CORPUS["train"]))
    assert OUTPUT.read_text(encoding="utf-8") == expected, "run `python -m bench.real_train`"
