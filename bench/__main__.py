"""Run the benchmark: `python -m bench` (see bench/README.md).

Trains ours (config.yml) and the baseline (bench/baseline/config.yml) on the same
domain and data, starts each with its own action server and Rasa server
(ops/processes.py), times the first answer after start (several starts, median),
measures held-out accuracy, and drives REST load from a separate process
(bench.load) at each client level. Both variants stay up side by side and every
timed step alternates between them, so that load from other processes on the
machine falls on both. Prints the table and writes reports/bench/bench.{json,txt,png}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bench import (
    BASELINE_CONFIG,
    CATALOG,
    HELDOUT,
    OURS_CONFIG,
    REPORT_DIR,
    ROOT,
    VARIANTS,
    accuracy,
    corpus_bench,
    models_cache,
    report,
    resources,
)
from ops.environment import common_env as server_env
from ops.processes import API_TOKEN, Assistant

COLD_START_TIMEOUT_S = 300


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--variants", default=",".join(VARIANTS), help="ours,baseline")
    parser.add_argument("--ours-config", type=Path, default=OURS_CONFIG)
    parser.add_argument("--baseline-config", type=Path, default=BASELINE_CONFIG)
    parser.add_argument(
        "--ours-env", action="append", default=[], metavar="KEY=VALUE",
        help="environment for ours' servers only (e.g. ACTION_SERVER_SANIC_WORKERS=2)",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=REPORT_DIR)
    parser.add_argument(
        "--reuse-models", default="", metavar="VARIANTS",
        help="e.g. baseline: use OUT/models/<variant>.tar.gz as it is, no training "
        "(training time then comes from the last OUT/bench.json)",
    )  # fmt: skip
    parser.add_argument(
        "--retrain", action="store_true",
        help="train both variants afresh even if config and data are unchanged",
    )  # fmt: skip
    parser.add_argument("--levels", default=",".join(map(str, report.LEVELS)))
    parser.add_argument("--max-requests", type=int, default=200, help="per level")
    parser.add_argument("--max-seconds", type=float, default=60, help="per level")
    parser.add_argument("--turns", type=int, default=10, help="messages per conversation")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests first")
    parser.add_argument(
        "--cold-starts", type=int, default=3, help="server starts per variant (median reported)"
    )
    return parser.parse_args(argv)


@contextlib.contextmanager
def environment(overrides: dict[str, str]) -> Iterator[None]:
    """Set variables for servers started inside the block (ops/environment.py reads os.environ)."""
    saved = {key: os.environ.get(key) for key in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_load(url: str, variant: str, clients: int, args: argparse.Namespace, out: Path,
             max_requests: int | None = None) -> dict[str, Any]:  # fmt: skip
    command = [
        sys.executable, "-m", "bench.load", "--url", url, "--clients", str(clients),
        "--max-requests", str(max_requests or args.max_requests),
        "--max-seconds", str(args.max_seconds), "--turns", str(args.turns),
        "--label", variant, "--out", str(out),
    ]  # fmt: skip
    subprocess.run(command, cwd=ROOT, env=server_env(), check=True, timeout=args.max_seconds + 120)
    return json.loads(out.read_text())


@dataclass
class Running:
    """One variant's servers while the benchmark runs."""

    variant: str
    assistant: Assistant
    env: dict[str, str]
    cold_starts_s: list[float] = field(default_factory=list)


def rotate(items: list[str], shift: int) -> list[str]:
    """Alternate which variant goes first, so that neither always gets the quieter slot."""
    shift %= max(len(items), 1)
    return items[shift:] + items[:shift]


def start_rasa_timed(run: Running, memory: resources.PeakMemory) -> None:
    """Start the Rasa server; record the time from process start to its first answer."""
    first = resources.FirstAnswer(run.assistant.url)
    first.start()
    try:
        with environment(run.env):
            began = time.perf_counter()
            run.assistant.start_rasa()
        memory.watch(f"{run.variant}/rasa", run.assistant.processes["rasa"].pid)
        first.join(timeout=COLD_START_TIMEOUT_S)
    finally:
        first.stop()
    if first.answered_at is None:
        raise RuntimeError(f"{run.variant}: no answer within {COLD_START_TIMEOUT_S} s of start")
    run.cold_starts_s.append(first.answered_at - began)


def start_variants(
    models: dict[str, Path], envs: dict[str, dict[str, str]], args: argparse.Namespace,
    out: Path, bar: tqdm, memory: resources.PeakMemory, running: dict[str, Running],
) -> None:  # fmt: skip
    """Each variant's action and Rasa servers; then the further cold starts."""
    for variant in models:
        bar.set_description(f"{variant}: starting servers")
        workdir = out / "run" / variant
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        run = running[variant] = Running(
            variant, Assistant(models[variant], workdir), envs[variant]
        )
        with environment(run.env):
            run.assistant.start_actions()
        memory.watch(f"{variant}/actions", run.assistant.processes["actions"].pid)
        start_rasa_timed(run, memory)
        bar.update(1)
    for repeat in range(1, args.cold_starts):
        for variant in rotate(list(models), repeat):
            bar.set_description(f"{variant}: cold start {repeat + 1}/{args.cold_starts}")
            running[variant].assistant.stop_rasa()
            start_rasa_timed(running[variant], memory)
            bar.update(1)


def measure_accuracy(
    running: dict[str, Running], results: dict[str, dict[str, Any]], args: argparse.Namespace,
    bar: tqdm,
) -> None:  # fmt: skip
    examples = accuracy.read_heldout(HELDOUT)
    mapping = accuracy.load_answer_map(CATALOG)
    for variant, run in running.items():
        bar.set_description(f"{variant}: held-out accuracy")
        parse = accuracy.rest_parser(run.assistant.url, API_TOKEN)
        predicted = accuracy.predict_all(parse, (text for text, _ in examples))
        results[variant]["accuracy"] = accuracy.evaluate(examples, predicted, mapping)
        bar.set_description(f"{variant}: real messages and held-out, every figure")
        results[variant]["corpora"] = corpus_bench.evaluate_corpora(run.assistant.url, API_TOKEN)
        if args.warmup:
            warmup = run.assistant.workdir / "warmup.json"
            run_load(run.assistant.url, f"{variant}-warmup", 1, args, warmup, args.warmup)
        bar.update(1)


def measure_load(
    running: dict[str, Running], results: dict[str, dict[str, Any]], args: argparse.Namespace,
    bar: tqdm,
) -> None:  # fmt: skip
    for index, clients in enumerate(int(n) for n in args.levels.split(",")):
        for variant in rotate(list(running), index):
            bar.set_description(f"{variant}: load, {clients} client(s)")
            run = running[variant]
            cpu_before = {name: resources.cpu_seconds(p.pid)
                          for name, p in run.assistant.processes.items()}  # fmt: skip
            level = run_load(
                run.assistant.url, variant, clients, args,
                run.assistant.workdir / f"load-{clients}.json",
            )  # fmt: skip
            for name, process in run.assistant.processes.items():
                level[f"{name}_cpu_s"] = resources.cpu_seconds(process.pid) - cpu_before[name]
            results[variant]["load"][clients] = level
            bar.update(1)


def measure(
    models: dict[str, Path], envs: dict[str, dict[str, str]], args: argparse.Namespace,
    out: Path, bar: tqdm,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Both variants' servers up side by side; every timed step alternates between them."""
    memory = resources.PeakMemory()
    running: dict[str, Running] = {}
    results: dict[str, dict[str, Any]] = {v: {"load": {}} for v in models}
    try:
        memory.start()
        start_variants(models, envs, args, out, bar, memory, running)
        measure_accuracy(running, results, args, bar)
        measure_load(running, results, args, bar)
        peaks = memory.stop()
    finally:
        if memory.is_alive():
            memory.stop()
        for run in running.values():
            run.assistant.stop()
    for variant, run in running.items():
        results[variant]["cold_starts_s"] = run.cold_starts_s
        results[variant]["cold_start_s"] = statistics.median(run.cold_starts_s)
        results[variant]["rss_mb"] = {
            "rasa": peaks.get(f"{variant}/rasa"),
            "actions": peaks.get(f"{variant}/actions"),
        }
    return results


def flatten(train: dict[str, Any], served: dict[str, Any]) -> dict[str, Any]:
    """The table's metrics of one variant."""
    acc = served["accuracy"]
    load = served["load"]
    metrics: dict[str, Any] = {
        "intent_accuracy": acc["intent_accuracy"],
        "answer_accuracy": acc["answer_accuracy"],
        "macro_f1": acc["macro_f1"],
        "cold_start_s": served["cold_start_s"],
        "training_s": train.get("training_s"),
        "training_cpu_s": train.get("training_cpu_s"),
        "model_mb": train.get("model_mb"),
        "rss_rasa_mb": served["rss_mb"].get("rasa"),
        "rss_actions_mb": served["rss_mb"].get("actions"),
        "failed_requests": float(sum(level["errors"] for level in load.values())),
        **corpus_bench.table_metrics(served.get("corpora", {})),
    }
    answers = sum(level["answers"] for level in load.values())
    for name in ("rasa", "actions"):
        cpu = sum(level.get(f"{name}_cpu_s", 0.0) for level in load.values())
        metrics[f"cpu_{name}_ms"] = 1000 * cpu / answers if answers else None
    if 1 in load:
        metrics.update({key: load[1][key] for key in ("p50_ms", "p95_ms", "p99_ms")})
    for clients, level in load.items():
        metrics[f"throughput_{clients}"] = level["throughput"]
    return metrics


def train_variants(
    variants: list[str], reuse: set[str], configs: dict[str, Path], args: argparse.Namespace,
    out: Path, bar: tqdm,
) -> dict[str, dict[str, Any]]:  # fmt: skip
    """Each variant's model: reused as it is (--reuse-models), kept by fingerprint, or trained."""
    models_dir, logs = out / "models", out / "logs"
    previous = json.loads((out / "bench.json").read_text()) if (out / "bench.json").exists() else {}
    trained: dict[str, dict[str, Any]] = {}
    for variant in variants:
        model = models_dir / f"{variant}.tar.gz"
        if variant in reuse:
            if not model.exists():
                raise SystemExit(f"--reuse-models: no model {model}; train it first")
            old = (previous.get("variants", {}).get(variant) or {}).get("metrics", {})
            trained[variant] = {
                "model": str(model),
                "model_mb": resources.mb(model.stat().st_size),
                "training_s": old.get("training_s"),
                "training_cpu_s": old.get("training_cpu_s"),
                "training_reused": True,
            }
            continue
        bar.set_description(f"{variant}: training (or the model of the same inputs)")
        trained[variant] = models_cache.cached_train(
            configs[variant], models_dir, variant,
            lambda v=variant: resources.train(configs[v], models_dir, v, logs / f"train-{v}.log"),
            retrain=args.retrain,
        )  # fmt: skip
        bar.update(1)
    return trained


def write_report(
    out: Path, metrics: dict[str, dict[str, Any]], details: dict[str, dict[str, Any]],
    document: dict[str, Any], started: datetime,
) -> tuple[str, str]:  # fmt: skip
    table = report.rows(metrics)
    document["rows"] = table
    text = report.render_table(table)
    confusions = report.render_confusions(details)
    out.mkdir(parents=True, exist_ok=True)
    report.write_json(out / "bench.json", document)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    report.write_json(out / "history" / f"bench-{stamp}.json", document)
    (out / "bench.txt").write_text(text + "\n\n" + confusions + "\n")
    report.plot(out / "bench.png", metrics, table)
    return text, confusions


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        raise SystemExit(f"unknown variants: {sorted(unknown)}")
    ours_env = dict(item.split("=", 1) for item in args.ours_env)
    reuse = {v.strip() for v in args.reuse_models.split(",") if v.strip()} & set(variants)
    # Same for both variants: no usage reports sent from the benchmark machine.
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    out: Path = args.out
    (out / "logs").mkdir(parents=True, exist_ok=True)
    configs = {"ours": args.ours_config, "baseline": args.baseline_config}
    started = datetime.now(timezone.utc)
    info = resources.machine()
    steps = len(variants) - len(reuse)  # trainings
    steps += len(variants) * (args.cold_starts + 1 + len(args.levels.split(",")))
    metrics: dict[str, dict[str, Any]] = {}
    details: dict[str, dict[str, Any]] = {}
    with tqdm(total=steps, unit="step", file=sys.stderr) as bar:
        trained = train_variants(variants, reuse, configs, args, out, bar)
        if variants:
            served = measure(
                {v: Path(trained[v]["model"]) for v in variants},
                {v: ours_env if v == "ours" else {} for v in variants},
                args, out, bar,
            )  # fmt: skip
            for variant in variants:
                metrics[variant] = flatten(trained[variant], served[variant])
                details[variant] = {
                    "config": str(configs[variant]),
                    "train": trained[variant],
                    **served[variant],
                }
        bar.set_description("done")
    info["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    document = {
        "generated": started.isoformat(timespec="seconds"),
        "command": shlex.join(["python", "-m", "bench", *(sys.argv[1:] if argv is None else argv)]),
        "machine": info,
        "settings": {
            "levels": args.levels,
            "max_requests_per_level": args.max_requests,
            "max_seconds_per_level": args.max_seconds,
            "turns_per_conversation": args.turns,
            "warmup_requests": args.warmup,
            "cold_starts": args.cold_starts,
            "ours_env": ours_env,
        },
        "variants": {v: {"metrics": metrics[v], "details": details.get(v, {})} for v in metrics},
    }
    text, confusions = write_report(out, metrics, details, document, started)
    print(text)
    if confusions:
        print()
        print(confusions)
    print()
    print(
        f"machine: {info['nproc']} cores, {info['cpu']}, {info['ram_gb']} GB RAM, "
        f"load average at start {info['load_average']}, at end {info['load_average_end']}"
    )
    print(f"written: {out / 'bench.json'}, {out / 'bench.png'}")


if __name__ == "__main__":
    main()
