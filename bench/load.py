"""Load generator: concurrent patients talking to the REST channel, from its own process.

    python -m bench.load --url http://127.0.0.1:5005 --clients 8 \
        --max-requests 200 --max-seconds 60 --out level.json

Each client is one patient: its own sender id, one message at a time (it waits for
the answer before sending the next), messages drawn at random from the held-out NLU
file. After `--turns` messages the client starts a new conversation (new sender id),
as a patient session would end. A level stops when `--max-requests` requests have
been sent or `--max-seconds` have passed, whichever comes first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp

from bench import HELDOUT
from bench.accuracy import read_heldout
from ops.stats import percentile

REQUEST_TIMEOUT_S = 30


def summarise(
    latencies_s: Sequence[float], errors: int, elapsed_s: float, clients: int
) -> dict[str, Any]:
    answers = len(latencies_s)
    ms = [value * 1000 for value in latencies_s]
    return {
        "clients": clients,
        "requests": answers + errors,
        "answers": answers,
        "errors": errors,
        "elapsed_s": elapsed_s,
        "throughput": answers / elapsed_s if elapsed_s > 0 else 0.0,
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "mean_ms": sum(ms) / answers if answers else math.nan,
    }


async def run_level(
    url: str,
    messages: Sequence[str],
    clients: int,
    max_requests: int,
    max_seconds: float,
    turns: int = 10,
    seed: int = 0,
    label: str = "bench",
) -> dict[str, Any]:
    endpoint = f"{url}/webhooks/rest/webhook"
    run_id = uuid.uuid4().hex[:8]
    latencies: list[float] = []
    errors: list[str] = []
    issued = 0
    start = time.perf_counter()
    deadline = start + max_seconds
    last_done = start

    async def patient(session: aiohttp.ClientSession, index: int) -> None:
        nonlocal issued, last_done
        rng = random.Random(seed * 1000 + index)
        sent = 0
        while issued < max_requests and time.perf_counter() < deadline:
            issued += 1
            sender = f"{label}-{run_id}-c{clients}-p{index}-s{sent // turns}"
            body = {"sender": sender, "message": rng.choice(messages)}
            sent += 1
            began = time.perf_counter()
            try:
                async with session.post(endpoint, json=body) as response:
                    replies = await response.json(content_type=None)
                    if response.status != 200 or not isinstance(replies, list) or not replies:
                        raise ValueError(f"HTTP {response.status}: {str(replies)[:200]}")
            except Exception as error:  # every failure is counted, not fatal
                errors.append(f"{type(error).__name__}: {error}")
            else:
                latencies.append(time.perf_counter() - began)
            last_done = time.perf_counter()

    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        await asyncio.gather(*(patient(session, index) for index in range(clients)))
    result = summarise(latencies, len(errors), last_done - start, clients)
    result["max_requests"] = max_requests
    result["max_seconds"] = max_seconds
    result["error_samples"] = errors[:5]
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", required=True, help="Rasa server, e.g. http://127.0.0.1:5005")
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--max-requests", type=int, default=200)
    parser.add_argument("--max-seconds", type=float, default=60)
    parser.add_argument("--turns", type=int, default=10, help="messages per conversation")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label", default="bench", help="prefix of the sender ids")
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    parser.add_argument("--out", type=Path, help="write the result here (default: stdout)")
    args = parser.parse_args(argv)

    messages = [text for text, _ in read_heldout(args.heldout)]
    result = asyncio.run(
        run_level(
            args.url,
            messages,
            clients=args.clients,
            max_requests=args.max_requests,
            max_seconds=args.max_seconds,
            turns=args.turns,
            seed=args.seed,
            label=args.label,
        )
    )
    text = json.dumps(result, indent=2)
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
