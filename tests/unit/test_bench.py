"""The benchmark's pure functions: no training, no servers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench import CATALOG, HELDOUT
from bench.accuracy import (
    accuracy,
    answer_id,
    answer_map,
    confusion_pairs,
    evaluate,
    load_answer_map,
    macro_f1,
    read_heldout,
)
from bench.load import summarise
from bench.report import METRICS, Goal, render_table, rows
from ops.stats import percentile


@pytest.mark.parametrize(
    ("q", "expected"),
    [(0, 1.0), (50, 2.5), (100, 4.0), (25, 1.75), (95, 3.85), (99, 3.97)],
)
def test_percentile_interpolates_between_ranks_like_numpy(q, expected):
    assert percentile([4.0, 1.0, 3.0, 2.0], q) == pytest.approx(expected)


def test_percentile_of_one_value_and_of_none():
    assert percentile([7.0], 99) == 7.0
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summary_counts_answers_per_second_and_reports_milliseconds():
    summary = summarise([0.1, 0.2, 0.3, 0.4], errors=1, elapsed_s=2.0, clients=8)
    assert summary["answers"] == 4
    assert summary["requests"] == 5
    assert summary["throughput"] == pytest.approx(2.0)
    assert summary["p50_ms"] == pytest.approx(250)


def test_macro_f1_is_the_mean_over_the_test_set_classes():
    gold = ["a", "a", "b", "b"]
    predicted = ["a", "b", "b", "nlu_fallback"]
    # a: tp 1, fp 0, fn 1 -> 2/3; b: tp 1, fp 1, fn 1 -> 1/2
    assert macro_f1(gold, predicted) == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert macro_f1(gold, gold) == 1.0
    assert accuracy(gold, predicted) == 0.5


def test_confusion_pairs_rank_the_most_frequent_errors_first():
    gold = ["a", "a", "a", "b", "b", "c"]
    predicted = ["b", "b", "a", "c", "a", "c"]
    pairs = confusion_pairs(gold, predicted, top=2)
    assert pairs == [
        {"gold": "a", "predicted": "b", "count": 2},
        {"gold": "b", "predicted": "a", "count": 1},
    ]


def test_answer_map_follows_the_catalog_intents():
    catalog = {
        "answers": {
            "overview": {"intent": "ask_overview"},
            "clarify": {"intent": "nlu_fallback"},
            "welcome": {"kind": "service"},
        }
    }
    mapping = answer_map(catalog)
    assert answer_id("ask_overview", mapping) == "overview"
    assert answer_id("nlu_fallback", mapping) == "clarify"
    assert answer_id("inform", mapping) == "inform"
    assert answer_id("made_up", mapping) == "unmapped:made_up"
    assert "welcome" not in mapping.values()


def test_the_real_catalog_maps_every_held_out_intent():
    mapping = load_answer_map(CATALOG)
    examples = read_heldout(HELDOUT)
    assert len(examples) > 100
    assert all(intent in mapping for _, intent in examples)
    assert mapping["nlu_fallback"] == "clarify"
    assert mapping["request_human"] == "handoff"


def test_inform_is_right_only_when_predicted_inform_and_fallback_is_clarify():
    mapping = {"inform": "inform", "ask_conditions": "conditions", "nlu_fallback": "clarify"}
    examples = [("what about stenosis?", "inform"), ("herniated discs?", "inform")]
    result = evaluate(examples, ["inform", "nlu_fallback"], mapping)
    assert result["intent_accuracy"] == 0.5
    assert result["answer_accuracy"] == 0.5
    assert result["errors"] == [
        {"text": "herniated discs?", "gold": "inform", "predicted": "nlu_fallback"}
    ]


def test_answer_accuracy_counts_intents_that_share_an_answer():
    mapping = {"a": "same", "b": "same", "c": "other"}
    result = evaluate([("x", "a"), ("y", "c")], ["b", "a"], mapping)
    assert result["intent_accuracy"] == 0.0
    assert result["answer_accuracy"] == 0.5


def test_heldout_reader_strips_entity_markup(tmp_path: Path):
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- intent: inform\n  examples: |\n'
        "    - what about [stenosis](condition)?\n    - and discs\n"
    )
    assert read_heldout(path) == [("what about stenosis?", "inform"), ("and discs", "inform")]


def test_goals_judge_the_ratio_or_ours_alone():
    assert Goal("ratio", "<=", 0.5).met(ours=10, ratio=0.4) is True
    assert Goal("ratio", ">=", 2).met(ours=10, ratio=1.5) is False
    assert Goal("ours", "<=", 60).met(ours=45, ratio=None) is True
    assert Goal("ratio", "<=", 0.5).met(ours=10, ratio=None) is None


def test_table_has_both_columns_the_ratio_and_the_goal_verdict():
    results = {
        "ours": {"p50_ms": 40.0, "intent_accuracy": 0.9, "training_s": 50.0},
        "baseline": {"p50_ms": 100.0, "intent_accuracy": 0.8, "training_s": 400.0},
    }
    table = rows(results)
    assert [row["metric"] for row in table] == [metric.key for metric in METRICS]
    text = render_table(table)
    lines = text.splitlines()
    assert lines[0].split() == ["metric", "ours", "baseline", "ours/baseline", "goal"]
    p50 = next(line for line in lines if line.startswith("latency p50"))
    assert "40.0 ms" in p50
    assert "100.0 ms" in p50
    assert "0.40x" in p50
    assert "<= 0.5x baseline: met" in p50
    accuracy_line = next(line for line in lines if line.startswith("intent accuracy"))
    assert "90.0 %" in accuracy_line
    assert "1.12x" in accuracy_line
    training = next(line for line in lines if line.startswith("training time"))
    assert "<= 60: met" in training
    throughput = next(line for line in lines if line.startswith("throughput, 8"))
    assert "n/a" in throughput
    assert "?" in throughput


def test_table_without_baseline_shows_no_ratio():
    table = rows({"ours": {"p50_ms": 40.0}})
    p50 = next(row for row in table if row["metric"] == "p50_ms")
    assert p50["ratio"] is None
    assert p50["met"] is None


def test_table_lines_carry_no_trailing_spaces():
    text = render_table(rows({"ours": {"p50_ms": 40.0}, "baseline": {"p50_ms": 100.0}}))
    assert all(line == line.rstrip() for line in text.splitlines())


def test_timed_steps_alternate_which_variant_goes_first():
    from bench.__main__ import rotate

    assert rotate(["ours", "baseline"], 0) == ["ours", "baseline"]
    assert rotate(["ours", "baseline"], 1) == ["baseline", "ours"]
    assert rotate(["ours", "baseline"], 2) == ["ours", "baseline"]
    assert rotate(["ours"], 1) == ["ours"]


def test_metrics_of_a_variant_come_from_its_runs():
    from bench.__main__ import flatten

    level = {"answers": 100, "errors": 1, "throughput": 20.0, "rasa_cpu_s": 2.0,
             "actions_cpu_s": 0.1, "p50_ms": 40.0, "p95_ms": 60.0, "p99_ms": 80.0}  # fmt: skip
    served = {
        "accuracy": {"intent_accuracy": 0.9, "answer_accuracy": 0.92, "macro_f1": 0.88},
        "load": {1: level, 8: {**level, "throughput": 50.0}},
        "cold_start_s": 12.0,
        "rss_mb": {"rasa": 900.0, "actions": 100.0},
    }
    metrics = flatten({"training_s": 50.0, "training_cpu_s": 70.0, "model_mb": 20.0}, served)
    assert metrics["p50_ms"] == 40.0
    assert metrics["throughput_8"] == 50.0
    assert metrics["failed_requests"] == 2
    assert metrics["cpu_rasa_ms"] == pytest.approx(20.0)  # 4 s over 200 answers
    assert metrics["rss_actions_mb"] == 100.0
    assert metrics["training_s"] == 50.0


def test_corpus_scores_every_figure_of_the_real_words_issue():
    from bench.corpus import Item, Prediction, score

    items = [
        Item("can't pee", ("emergency",), "red_flag", "cauda_equina"),
        Item("legs numb", ("emergency",), "red_flag", "leg_weakness"),
        Item("killing me", ("out_of_scope", "clarify"), "near_miss"),
        Item("what is cauda equina", ("out_of_scope",), "near_miss"),
        Item("my knee", ("out_of_scope",), "out_of_scope"),
        Item("cost?", ("not_covered",), "not_covered"),
    ]
    predictions = [
        Prediction("emergency", category="cauda_equina"),
        Prediction("out_of_scope"),  # a missed red flag
        Prediction("emergency", category="suicidal"),  # a false alarm
        Prediction("out_of_scope", notice="cauda_equina"),
        Prediction("conditions"),  # a therapy answer to an out-of-scope question
        Prediction("clarify"),
    ]
    figures = score(items, predictions, therapy_ids={"conditions", "safety"})
    assert figures["answer_accuracy"] == pytest.approx(2 / 6)
    assert figures["red_flag_recall"] == 0.5
    assert figures["red_flag_any_urgent_care"] == 0.5  # the missed one got no notice either
    assert figures["red_flag_recall_by_category"] == {
        "cauda_equina": (1, 1),
        "leg_weakness": (0, 1),
    }
    assert figures["near_miss_quiet"] == 0.5
    assert figures["near_miss_notice"] == 0.5
    assert figures["false_alarms"] == 1
    assert figures["out_of_scope_given_therapy"] == 1
    assert figures["clarify_rate"] == pytest.approx(1 / 6)
    assert figures["safety_notice_rate"] == pytest.approx(1 / 6)
    assert figures["per_id"]["emergency"]["support"] == 2
    assert len(figures["errors"]) == 4


def test_bench_models_are_reused_until_an_input_changes(tmp_path):
    from bench.models_cache import cached_train

    root = tmp_path / "project"
    for name in ("data", "content", "components"):
        (root / name).mkdir(parents=True)
    (root / "domain.yml").write_text("version: '3.1'\n")
    (root / "data" / "nlu.yml").write_text("nlu: []\n")
    config = root / "config.yml"
    config.write_text("pipeline: []\n")
    models = tmp_path / "models"
    trainings = []

    def train():
        trainings.append(1)
        models.mkdir(exist_ok=True)
        (models / "baseline.tar.gz").write_bytes(b"model")
        return {"training_s": 600.0, "model": str(models / "baseline.tar.gz")}

    first = cached_train(config, models, "baseline", train, root=root)
    second = cached_train(config, models, "baseline", train, root=root)
    assert (first["training_reused"], second["training_reused"]) == (False, True)
    assert second["training_s"] == 600.0
    (root / "data" / "nlu.yml").write_text("nlu: [changed]\n")
    assert cached_train(config, models, "baseline", train, root=root)["training_reused"] is False
    assert cached_train(config, models, "baseline", train, root=root)["training_reused"] is True
    assert (
        cached_train(config, models, "baseline", train, retrain=True, root=root)["training_reused"]
        is False
    )
    assert len(trainings) == 3


def test_the_cluster_bench_table_has_one_row_per_setup_with_every_figure():
    from bench.cluster import COLUMNS, render

    results = [
        {"setup": "1 server, SQLite", "messages": 450, "errors": 0, "lost_turns": 0,
         "throughput_msg_s": 21.5, "p50_ms": 800, "p95_ms": 2100, "p99_ms": 3000},
        {"setup": "2 servers behind nginx", "messages": 450, "errors": 1, "lost_turns": 2,
         "throughput_msg_s": 30.1, "p50_ms": 600, "p95_ms": 1500, "p99_ms": 2500},
    ]  # fmt: skip
    header, rule, *rows = render(results).splitlines()
    assert [title for _, title in COLUMNS] == [c.strip() for c in header.split("|")[1:]]
    assert set(rule) == {"-"}
    assert [r.split("|")[0].strip() for r in rows] == [r["setup"] for r in results]
    assert rows[1].split("|")[3].strip() == "2"  # lost turns of the second set-up
