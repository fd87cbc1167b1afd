"""The per-corpus accuracy figures of `make bench`, through a running server's REST API.

Two corpora: the written held-out file (tests/data/nlu_heldout.yml) and the real
messages' test split (tests/data/real/test.yml, never trained on). Each message is
parsed by `/model/parse` and turned into the answer the assistant gives
(bench/predict.py), then scored (bench/corpus.py).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

import yaml

from bench import CATALOG, HELDOUT, ROOT, accuracy
from bench.corpus import heldout_corpus, read_corpus, score
from bench.predict import predict_all
from clinic.catalog import load_catalog

REAL_TEST = ROOT / "tests" / "data" / "real" / "test.yml"
CORPORA = ("heldout", "real_test")


def full_parser(url: str, token: str, timeout: float = 30) -> Callable[[str], dict[str, Any]]:
    def parse(text: str) -> dict[str, Any]:
        request = urllib.request.Request(
            f"{url}/model/parse?token={token}",
            data=json.dumps({"text": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    return parse


def corpora() -> dict[str, list]:
    mapping = accuracy.answer_map(yaml.safe_load(CATALOG.read_text(encoding="utf-8")))
    return {
        "heldout": heldout_corpus(accuracy.read_heldout(HELDOUT), mapping),
        "real_test": read_corpus(REAL_TEST),
    }


def evaluate_corpora(url: str, token: str) -> dict[str, dict[str, Any]]:
    catalog = load_catalog()
    therapy = {a.id for a in catalog.answers.values() if a.kind in ("therapy", "safety")}
    parse = full_parser(url, token)
    figures = {}
    for name, items in corpora().items():
        predictions = predict_all(parse, [item.text for item in items], catalog)
        figures[name] = score(items, predictions, therapy)
    return figures


def table_metrics(figures: dict[str, dict[str, Any]]) -> dict[str, float]:
    """The bench table's per-corpus rows (see bench/report.py)."""
    metrics: dict[str, float] = {}
    for name in CORPORA:
        corpus = figures.get(name)
        if not corpus:
            continue
        metrics[f"{name}_answer_accuracy"] = corpus["answer_accuracy"]
        metrics[f"{name}_macro_f1"] = corpus["macro_f1"]
        metrics[f"{name}_clarify_rate"] = corpus["clarify_rate"]
        metrics[f"{name}_notice_rate"] = corpus["safety_notice_rate"]
        if corpus["red_flags"]:
            metrics[f"{name}_red_flag_recall"] = corpus["red_flag_recall"]
            metrics[f"{name}_red_flag_urgent_care"] = corpus["red_flag_any_urgent_care"]
        if corpus["near_misses"]:
            metrics[f"{name}_near_miss_quiet"] = corpus["near_miss_quiet"]
        metrics[f"{name}_oos_therapy"] = float(corpus["out_of_scope_given_therapy"])
    return metrics
