"""`make bench-cluster`: one server on SQLite, one on PostgreSQL, two behind nginx.

    python -m bench.cluster [--conversations 150] [--concurrency 30]

Each set-up is started on free loopback ports in its own temporary folder (the
servers of `make cluster`: Debian's postgresql, redis-server and nginx), warmed up,
then given the same conversations (3 questions each, at most --concurrency at once);
every turn is checked against the stored conversation. Prints one table: messages,
errors, lost turns, throughput and latency, side by side; writes it to
reports/bench/cluster.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ops import traffic
from ops.cluster import Cluster
from ops.environment import ROOT
from ops.processes import API_TOKEN, Assistant

MODEL = ROOT / "models" / "clinic-assistant.tar.gz"
OUT = ROOT / "reports" / "bench" / "cluster.json"
SOURCES = [f"127.0.0.{n}" for n in range(2, 42)]  # patients on 40 addresses
COLUMNS = [
    ("messages", "messages"),
    ("errors", "errors"),
    ("lost_turns", "lost"),
    ("throughput_msg_s", "msg/s"),
    ("p50_ms", "p50 ms"),
    ("p95_ms", "p95 ms"),
    ("p99_ms", "p99 ms"),
]
# (label, url, API token, client addresses) of a running set-up
Target = tuple[str, str, str, Sequence[str]]


@contextmanager
def one_server_on_sqlite(workdir: Path) -> Iterator[Target]:
    assistant = Assistant(MODEL, workdir / "sqlite").start()
    try:
        yield "1 server, SQLite", assistant.url, API_TOKEN, ()
    finally:
        assistant.stop()


@contextmanager
def servers_on_postgres(workdir: Path, servers: int) -> Iterator[Target]:
    cluster = Cluster(workdir=workdir / f"cluster{servers}", model=MODEL, servers=servers)
    try:
        cluster.start()
        if servers == 1:
            yield "1 server, PostgreSQL + Redis", cluster.rasa_url(0), cluster.api_token, ()
        else:
            label = f"{servers} servers behind nginx, PostgreSQL + Redis"
            yield label, cluster.url, cluster.api_token, SOURCES
    finally:
        cluster.stop()
        cluster.remove_data()


def measure(target: Target, conversations: int, concurrency: int) -> dict[str, Any]:
    label, url, token, sources = target
    warm_up = traffic.plan(10, turns=3, label="warm", seed=1)
    asyncio.run(traffic.run(url, warm_up, 5, source_addresses=sources))
    planned = traffic.plan(conversations, turns=3, label="bench", seed=7)
    elapsed = asyncio.run(traffic.run(url, planned, concurrency, source_addresses=sources))
    problems = asyncio.run(traffic.verify(url, token, planned))
    return {"setup": label, **traffic.summary(planned, problems, elapsed)}


def render(results: list[dict[str, Any]]) -> str:
    width = max(len(r["setup"]) for r in results)
    header = f"{'set-up':<{width}} | " + " | ".join(f"{title:>8}" for _, title in COLUMNS)
    lines = [header, "-" * len(header)]
    for result in results:
        values = " | ".join(f"{result[key]!s:>8}" for key, _ in COLUMNS)
        lines.append(f"{result['setup']:<{width}} | {values}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=150)
    parser.add_argument("--concurrency", type=int, default=30, help="conversations at once")
    args = parser.parse_args(argv)
    if not MODEL.exists():
        raise SystemExit(f"error: {MODEL} not found: run `make train` first")
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as folder:
        workdir = Path(folder)
        setups = [
            lambda: one_server_on_sqlite(workdir),
            lambda: servers_on_postgres(workdir, 1),
            lambda: servers_on_postgres(workdir, 2),
        ]
        for number, setup in enumerate(setups, 1):
            print(f"[{number}/{len(setups)}] starting...", flush=True)
            with setup() as target:
                print(f"[{number}/{len(setups)}] {target[0]}: {args.conversations} "
                      f"conversations, {args.concurrency} at once", flush=True)  # fmt: skip
                results.append(measure(target, args.conversations, args.concurrency))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print("\n" + render(results))
    print(f"\n(also in {OUT.relative_to(ROOT)})")
    return 1 if any(r["errors"] or r["lost_turns"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
