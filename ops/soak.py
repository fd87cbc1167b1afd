"""Soak test (`make soak`): many patients at once for minutes, every reply checked.

    python -m ops.soak [--conversations 600] [--concurrency 50] [--turns 3]
                           [--max-seconds 600] [--out reports/soak/soak.json]

Starts its own action server and Rasa server on free loopback ports with their own
SQLite tracker store (ops/processes.py; nothing touches var/ or a running
assistant), then runs --conversations conversations of --turns different
questions each, at most --concurrency at once; no conversation starts after
--max-seconds. Each turn is checked against the conversation's tracker
(ops/traffic.py). Prints messages sent, errors, lost turns, latency percentiles
and throughput, and the Rasa server's peak memory; exits 1 if there was any error
or lost turn.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

from ops import traffic
from ops.environment import ROOT
from ops.processes import API_TOKEN, Assistant
from ops.stats import peak_memory_mb

MODEL = ROOT / "models" / "clinic-assistant.tar.gz"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=50, help="conversations at once")
    parser.add_argument("--turns", type=int, default=3, help="questions per conversation")
    parser.add_argument("--max-seconds", type=float, default=600, help="no new conversation after")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "soak" / "soak.json")
    return parser.parse_args(argv)


def report(result: dict) -> str:
    return "\n".join(
        [
            "",
            f"Soak: {result['conversations']} conversations, {result['concurrency']} at once, "
            f"{result['elapsed_s']} s",
            f"  messages sent   {result['messages']}",
            f"  errors          {result['errors']}",
            f"  lost turns      {result['lost_turns']}",
            f"  latency (ms)    p50 {result['p50_ms']}   p95 {result['p95_ms']}   "
            f"p99 {result['p99_ms']}   max {result['max_ms']}",
            f"  throughput      {result['throughput_msg_s']} messages/s",
            f"  Rasa peak RSS   {result['rasa_peak_rss_mb']} MB",
            *(f"  ! {sample}" for sample in result["samples"]),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.model.exists():
        raise SystemExit(f"error: {args.model} not found: run `make train` first")
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    conversations = traffic.plan(args.conversations, args.turns, "soak", args.seed)
    print(f"Starting the action server and the Rasa server (logs in {workdir}) ...", flush=True)
    assistant = Assistant(args.model, workdir)
    failed = True
    try:
        started = time.perf_counter()
        assistant.start()
        print(f"Ready after {time.perf_counter() - started:.0f} s.", flush=True)
        total = sum(len(c.turns) for c in conversations)
        with tqdm(total=total, unit="msg", desc="soak", file=sys.stderr) as bar:
            elapsed = asyncio.run(
                traffic.run(
                    assistant.url,
                    conversations,
                    concurrency=args.concurrency,
                    max_seconds=args.max_seconds,
                    on_reply=lambda: bar.update(1),
                )
            )
        print("Checking every conversation's tracker ...", flush=True)
        problems = asyncio.run(traffic.verify(assistant.url, API_TOKEN, conversations))
        result = {
            **traffic.summary(conversations, problems, elapsed),
            "concurrency": args.concurrency,
            "turns": args.turns,
            "rasa_peak_rss_mb": peak_memory_mb(assistant.processes["rasa"].pid),
        }
        print(report(result))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"  report          {args.out}")
        failed = bool(result["errors"] or result["lost_turns"])
    finally:
        assistant.stop()
        if failed:
            print(f"Server logs kept in {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
