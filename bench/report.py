"""The benchmark table (ours, baseline, ratio, goal), its JSON and its plot."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LEVELS = (1, 8, 32)


@dataclass(frozen=True)
class Goal:
    """A target: on the ratio ours/baseline, or on ours alone ("ours")."""

    on: str  # "ratio" | "ours"
    op: str  # "<=" | ">="
    value: float

    def met(self, ours: float | None, ratio: float | None) -> bool | None:
        value = ratio if self.on == "ratio" else ours
        if value is None or math.isnan(value):
            return None
        return value <= self.value if self.op == "<=" else value >= self.value

    def describe(self) -> str:
        suffix = "x baseline" if self.on == "ratio" else ""
        return f"{self.op} {self.value:g}{suffix}"


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    digits: int = 1
    percent: bool = False
    goal: Goal | None = None


METRICS: tuple[Metric, ...] = (
    Metric("intent_accuracy", "intent accuracy (held-out)", "%", percent=True),
    Metric("answer_accuracy", "answer-id accuracy (held-out)", "%", percent=True),
    Metric("macro_f1", "intent macro-F1 (held-out)", "", digits=3),
    Metric(
        "heldout_answer_accuracy",
        "written held-out: answer accuracy",
        "%",
        percent=True,
        goal=Goal("ours", ">=", 0.97),
    ),
    Metric("heldout_clarify_rate", "written held-out: clarify rate", "%", percent=True),
    Metric(
        "real_test_answer_accuracy",
        "real test split: answer accuracy",
        "%",
        percent=True,
        goal=Goal("ours", ">=", 0.90),
    ),
    Metric("real_test_macro_f1", "real test split: macro-F1 of answer ids", "", digits=3),
    Metric(
        "real_test_red_flag_recall",
        "real test split: red-flag recall",
        "%",
        percent=True,
        goal=Goal("ours", ">=", 1.0),
    ),
    Metric(
        "real_test_red_flag_urgent_care",
        "real test split: red flags given the emergency reply or the urgent-care line",
        "%",
        percent=True,
    ),
    Metric(
        "real_test_near_miss_quiet",
        "real test split: near-misses kept quiet",
        "%",
        percent=True,
        goal=Goal("ours", ">=", 0.97),
    ),
    Metric(
        "real_test_oos_therapy",
        "real test split: out-of-scope given therapy",
        "",
        digits=0,
        goal=Goal("ours", "<=", 0),
    ),
    Metric(
        "real_test_clarify_rate",
        "real test split: clarify rate",
        "%",
        percent=True,
        goal=Goal("ours", "<=", 0.10),
    ),
    Metric("real_test_notice_rate", "real test split: safety-notice rate", "%", percent=True),
    Metric("p50_ms", "latency p50, 1 client", "ms", goal=Goal("ratio", "<=", 0.5)),
    Metric("p95_ms", "latency p95, 1 client", "ms"),
    Metric("p99_ms", "latency p99, 1 client", "ms"),
    Metric("throughput_1", "throughput, 1 client", "answers/s"),
    Metric("throughput_8", "throughput, 8 clients", "answers/s", goal=Goal("ratio", ">=", 2)),
    Metric("throughput_32", "throughput, 32 clients", "answers/s"),
    Metric("cpu_rasa_ms", "CPU per answer, Rasa server", "ms"),
    Metric("cpu_actions_ms", "CPU per answer, action server", "ms"),
    Metric("failed_requests", "failed requests (all levels)", "", digits=0),
    Metric("cold_start_s", "cold start to first answer", "s", goal=Goal("ratio", "<=", 0.6)),
    Metric("training_s", "training time", "s", goal=Goal("ours", "<=", 60)),
    Metric("training_cpu_s", "training CPU time (all cores)", "s"),
    Metric("model_mb", "model size", "MB"),
    Metric("rss_rasa_mb", "peak RSS, Rasa server", "MB", digits=0),
    Metric("rss_actions_mb", "peak RSS, action server", "MB", digits=0),
)


def ratio(ours: float | None, baseline: float | None) -> float | None:
    if ours is None or baseline is None or baseline == 0:
        return None
    if math.isnan(ours) or math.isnan(baseline):
        return None
    return ours / baseline


def rows(results: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per metric from {"ours": metrics, "baseline": metrics} (either may be missing)."""
    ours_metrics = results.get("ours") or {}
    baseline_metrics = results.get("baseline") or {}
    table = []
    for metric in METRICS:
        ours = ours_metrics.get(metric.key)
        baseline = baseline_metrics.get(metric.key)
        r = ratio(ours, baseline)
        table.append(
            {
                "metric": metric.key,
                "label": metric.label,
                "unit": metric.unit,
                "ours": ours,
                "baseline": baseline,
                "ratio": r,
                "goal": metric.goal.describe() if metric.goal else None,
                "met": metric.goal.met(ours, r) if metric.goal else None,
            }
        )
    return table


def format_value(value: float | None, metric: Metric) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if metric.percent:
        return f"{value * 100:.1f} %"
    text = f"{value:,.{metric.digits}f}"
    return f"{text} {metric.unit}".strip() if metric.unit else text


def render_table(table: list[dict[str, Any]]) -> str:
    """A plain-text table: metric | ours | baseline | ours/baseline | goal."""
    by_key = {metric.key: metric for metric in METRICS}
    header = ("metric", "ours", "baseline", "ours/baseline", "goal")
    lines = []
    for row in table:
        metric = by_key[row["metric"]]
        goal = ""
        if row["goal"]:
            verdict = {True: "met", False: "MISSED", None: "?"}[row["met"]]
            goal = f"{row['goal']}: {verdict}"
        r = row["ratio"]
        lines.append(
            (
                row["label"],
                format_value(row["ours"], metric),
                format_value(row["baseline"], metric),
                "n/a" if r is None else f"{r:.2f}x",
                goal,
            )
        )
    widths = [max(len(cells[i]) for cells in (header, *lines)) for i in range(len(header))]
    align = ("<", ">", ">", ">", "<")

    def fmt(cells: tuple[str, ...]) -> str:
        line = "  ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, align, widths, strict=True))
        return line.rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(cells) for cells in lines)])


def render_confusions(details: dict[str, dict[str, Any]]) -> str:
    lines = []
    for variant, detail in details.items():
        pairs = (detail.get("accuracy") or {}).get("confusions") or []
        if not pairs:
            continue
        lines.append(f"confusions that cost most, {variant} (gold -> predicted: count):")
        lines.extend(f"  {p['gold']} -> {p['predicted']}: {p['count']}" for p in pairs)
    return "\n".join(lines)


def write_json(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str))


def plot(path: Path, results: dict[str, dict[str, Any]], table: list[dict[str, Any]]) -> None:
    """Four panels: accuracy, latency percentiles, throughput per level, ratios vs goals."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    variants = [v for v in ("ours", "baseline") if results.get(v)]
    colours = {"ours": "#2a7ab9", "baseline": "#b0b0b0"}
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))

    def bars(ax, keys, labels, scale=1.0):
        width = 0.8 / max(len(variants), 1)
        for i, variant in enumerate(variants):
            values = [(results[variant].get(k) or 0) * scale for k in keys]
            xs = [x + i * width for x in range(len(keys))]
            ax.bar(xs, values, width, label=variant, color=colours[variant])
        ax.set_xticks([x + width * (len(variants) - 1) / 2 for x in range(len(keys))], labels)
        ax.legend()

    ax = axes[0][0]
    bars(
        ax,
        ["intent_accuracy", "answer_accuracy", "macro_f1"],
        ["intent", "answer id", "macro-F1"],
        100,
    )
    ax.set_title("Held-out accuracy (%)")
    ax.set_ylim(0, 100)

    ax = axes[0][1]
    bars(ax, ["p50_ms", "p95_ms", "p99_ms"], ["p50", "p95", "p99"])
    ax.set_title("REST latency, 1 client (ms, lower is better)")

    ax = axes[1][0]
    for variant in variants:
        values = [results[variant].get(f"throughput_{n}") or 0 for n in LEVELS]
        ax.plot(LEVELS, values, marker="o", label=variant, color=colours[variant])
    ax.set_xscale("log", base=2)
    ax.set_xticks(LEVELS, [str(n) for n in LEVELS])
    ax.set_xlabel("concurrent clients")
    ax.set_title("Throughput (answers/s, higher is better)")
    ax.legend()

    ax = axes[1][1]
    shown = [row for row in table if row["ratio"] is not None]
    ax.barh(
        [row["label"] for row in shown],
        [row["ratio"] for row in shown],
        color=["#4caf50" if row["met"] else "#e57373" if row["met"] is False else "#2a7ab9"
               for row in shown],
    )  # fmt: skip
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.invert_yaxis()
    ax.set_title("ours / baseline (green: goal met, red: missed)")
    ax.tick_params(axis="y", labelsize=8)

    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
