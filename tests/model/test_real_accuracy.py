"""The trained model on real patients' messages it never saw, and on the written held-out file.

Prints, per corpus, every figure of the real-words issue (`pytest -s` shows them):
answer accuracy, per-id F1, red-flag recall per category, near-misses kept quiet,
out-of-scope messages given a therapy answer, clarify and safety-notice rates.

The floors below are regression floors: the figures this model reached when they
were set (the issue's targets are higher and are reported by `make bench`). A change
that makes the assistant worse on real messages fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench import accuracy
from bench.corpus import format_summary, heldout_corpus, read_corpus, score
from bench.predict import predict_all
from clinic.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "data" / "real"
FLOORS = {
    # corpus: (answer accuracy, red-flag recall, near-misses kept quiet, clarify rate at most)
    "real dev": (0.86, 0.85, 0.92, 0.10),
    "real test": (0.75, 0.65, 0.80, 0.10),
}


@pytest.fixture(scope="module")
def therapy_ids(catalog: Catalog) -> set[str]:
    return {a.id for a in catalog.answers.values() if a.kind in ("therapy", "safety")}


def figures_of(nlu, catalog: Catalog, therapy_ids: set[str], items) -> dict:
    predictions = predict_all(nlu, [item.text for item in items], catalog)
    return score(items, predictions, therapy_ids)


@pytest.mark.parametrize("split", ["dev", "test"])
def test_real_messages_floors(nlu, catalog: Catalog, therapy_ids: set[str], split: str):
    name = f"real {split}"
    figures = figures_of(nlu, catalog, therapy_ids, read_corpus(REAL / f"{split}.yml"))
    print("\n" + format_summary(name, figures))
    print("  per-id F1: " + ", ".join(
        f"{answer} {v['f1']:.2f} ({v['support']})" for answer, v in figures["per_id"].items()
    ))  # fmt: skip
    accuracy_floor, recall_floor, quiet_floor, clarify_ceiling = FLOORS[name]
    assert figures["answer_accuracy"] >= accuracy_floor
    assert figures["red_flag_recall"] >= recall_floor
    assert figures["near_miss_quiet"] >= quiet_floor
    assert figures["clarify_rate"] <= clarify_ceiling


def test_written_held_out_file_in_the_same_terms(nlu, catalog: Catalog, therapy_ids: set[str]):
    mapping = accuracy.answer_map(yaml.safe_load((ROOT / "content" / "catalog.yml").read_text()))
    items = heldout_corpus(
        accuracy.read_heldout(ROOT / "tests" / "data" / "nlu_heldout.yml"), mapping
    )
    figures = figures_of(nlu, catalog, therapy_ids, items)
    print("\n" + format_summary("written held-out", figures))
    assert figures["answer_accuracy"] >= 0.97
    assert figures["false_alarms"] == 0
