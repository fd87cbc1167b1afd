"""Simulated patients: many conversations at once over REST, every reply checked.

Used by the concurrency tests and `make soak` (ops/soak.py). Each
conversation has its own sender id and asks its own questions, one at a time (it
waits for the answer before the next), drawn from QUESTIONS. Afterwards each
conversation's tracker is read from Rasa's API and compared with what was sent:

- an *error* is a failed request, a status other than 200, or a reply addressed to
  another conversation;
- a *lost turn* is a message sent without a reply, or missing from the
  conversation's tracker;
- a *wrong answer* is a turn whose `answer_id` (the slot every reply sets) is not
  the expected one, or whose reply is not the text the tracker recorded for it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from ops.stats import percentile

# (question, answer id): questions the assistant answers reliably, one per topic.
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("what is stem cell therapy for back pain", "overview"),
    ("how do the stem cells actually repair things", "how_it_works"),
    ("which conditions can it be used for?", "conditions"),
    ("how is the injection given", "procedure"),
    ("do they use ultrasound or x-ray to guide the needle", "imaging_guidance"),
    ("is it safe? are there risks", "safety"),
    ("how much does it cost", "not_covered"),
    ("should I stop taking my painkillers", "personal_advice"),
    ("can I talk to a real person", "handoff"),
    ("numb between my legs and I can't pee", "emergency"),
)
REQUEST_TIMEOUT_S = 120


@dataclass
class Conversation:
    sender: str
    turns: list[tuple[str, str]]  # (question, expected answer id)
    replies: list[list[dict[str, Any]] | None] = field(default_factory=list)
    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def plan(count: int, turns: int, label: str, seed: int = 0) -> list[Conversation]:
    """`count` conversations of `turns` different questions each; no two ask the same
    questions in the same order (up to 720 conversations of 3 turns)."""
    orders = list(itertools.permutations(QUESTIONS, min(turns, len(QUESTIONS))))
    random.Random(seed).shuffle(orders)
    return [
        Conversation(f"{label}-{index}", list(orders[index % len(orders)]))
        for index in range(count)
    ]


async def talk(
    http: aiohttp.ClientSession,
    url: str,
    conversation: Conversation,
    on_reply: Callable[[], None] | None = None,
) -> None:
    """Send the conversation's questions one after the other, recording each reply."""
    for question, _ in conversation.turns:
        body = {"sender": conversation.sender, "message": question}
        began = time.perf_counter()
        replies: list[dict[str, Any]] | None = None
        try:
            async with http.post(f"{url}/webhooks/rest/webhook", json=body) as response:
                text = await response.text()
                if response.status != 200:
                    conversation.errors.append(f"HTTP {response.status}: {text[:200]}")
                else:
                    replies = json.loads(text)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            conversation.errors.append(f"{type(error).__name__}: {error}")
        conversation.latencies_s.append(time.perf_counter() - began)
        conversation.replies.append(replies)
        if replies:
            strangers = {r.get("recipient_id") for r in replies} - {conversation.sender}
            if strangers:
                conversation.errors.append(f"replies addressed to {sorted(strangers)}")
        if on_reply:
            on_reply()


async def run(
    url: str,
    conversations: Sequence[Conversation],
    concurrency: int,
    max_seconds: float | None = None,
    on_reply: Callable[[], None] | None = None,
    source_addresses: Sequence[str] = (),
) -> float:
    """Run the conversations, at most `concurrency` at once; none starts after
    `max_seconds`. Returns the elapsed time. With `source_addresses` (127.0.0.x), the
    conversations come from those addresses in turn, as patients behind a load
    balancer that hashes the client address do."""
    began = time.perf_counter()
    deadline = began + max_seconds if max_seconds else math.inf
    limit = asyncio.Semaphore(concurrency)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    addresses = list(source_addresses) or [None]
    sessions = [
        aiohttp.ClientSession(
            timeout=timeout,
            connector=aiohttp.TCPConnector(
                limit=concurrency, local_addr=(address, 0) if address else None
            ),
        )
        for address in addresses
    ]
    try:

        async def one(index: int, conversation: Conversation) -> None:
            async with limit:
                if time.perf_counter() < deadline:
                    http = sessions[index % len(sessions)]
                    await talk(http, url, conversation, on_reply)

        await asyncio.gather(*(one(i, c) for i, c in enumerate(conversations)))
    finally:
        for session in sessions:
            await session.close()
    return time.perf_counter() - began


def turns_of(tracker: dict[str, Any]) -> list[dict[str, Any]]:
    """Per patient message in a tracker: its text, the bot texts and the answer id set."""
    turns: list[dict[str, Any]] = []
    for event in tracker.get("events", []):
        if event["event"] == "user":
            turns.append({"text": event.get("text"), "bot": [], "answer_id": None})
        elif turns and event["event"] == "bot":
            turns[-1]["bot"].append(event.get("text"))
        elif turns and event["event"] == "slot" and event.get("name") == "answer_id":
            turns[-1]["answer_id"] = event.get("value")
    return turns


async def read_tracker(
    http: aiohttp.ClientSession, url: str, token: str, sender: str, attempts: int = 5
) -> dict[str, Any]:
    """A conversation's tracker from Rasa's API; a server that fails (behind a load
    balancer that is still finding out) is asked again."""
    address = f"{url}/conversations/{sender}/tracker"
    problem = ""
    for attempt in range(attempts):
        try:
            async with http.get(address, params={"token": token}) as response:
                if response.status == 200:
                    return await response.json()
                problem = f"HTTP {response.status}: {(await response.text())[:200]}"
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            problem = f"{type(error).__name__}: {error}"
        await asyncio.sleep(1 + attempt)
    raise RuntimeError(f"the tracker of {sender} could not be read from {url}: {problem}")


async def verify(
    url: str, token: str, conversations: Sequence[Conversation], concurrency: int = 20
) -> dict[str, list[str]]:
    """Compare every conversation that was started with its tracker:
    {"lost": [...], "wrong": [...]} (one line per problem)."""
    problems: dict[str, list[str]] = {"lost": [], "wrong": []}
    limit = asyncio.Semaphore(concurrency)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)

    async with aiohttp.ClientSession(timeout=timeout) as http:

        async def check(conversation: Conversation) -> None:
            if not conversation.replies:
                return  # never started (time bound)
            async with limit:
                tracker = await read_tracker(http, url, token, conversation.sender)
            stored = turns_of(tracker)
            sent = conversation.turns[: len(conversation.replies)]
            if [turn["text"] for turn in stored] != [question for question, _ in sent]:
                problems["lost"].append(
                    f"{conversation.sender}: sent {len(sent)} messages, "
                    f"the tracker has {[turn['text'] for turn in stored]}"
                )
                return
            for number, ((question, expected), replies, turn) in enumerate(
                zip(sent, conversation.replies, stored, strict=True), start=1
            ):
                where = f"{conversation.sender} turn {number} ({question!r})"
                if not replies or not turn["bot"]:
                    problems["lost"].append(f"{where}: no reply")
                    continue
                if turn["answer_id"] != expected:
                    problems["wrong"].append(f"{where}: {turn['answer_id']} != {expected}")
                texts = [reply.get("text") for reply in replies if reply.get("text")]
                if texts != [text for text in turn["bot"] if text]:
                    problems["wrong"].append(f"{where}: the reply is not this turn's")

        await asyncio.gather(*(check(conversation) for conversation in conversations))
    return problems


def summary(
    conversations: Sequence[Conversation], problems: dict[str, list[str]], elapsed_s: float
) -> dict[str, Any]:
    latencies_ms = [s * 1000 for c in conversations for s in c.latencies_s]
    errors = [f"{c.sender}: {error}" for c in conversations for error in c.errors]
    return {
        "conversations": sum(1 for c in conversations if c.replies),
        "messages": len(latencies_ms),
        "errors": len(errors) + len(problems["wrong"]),
        "lost_turns": len(problems["lost"]),
        "elapsed_s": round(elapsed_s, 1),
        "throughput_msg_s": round(len(latencies_ms) / elapsed_s, 1) if elapsed_s else 0.0,
        **{
            f"p{q}_ms": round(percentile(latencies_ms, q)) if latencies_ms else None
            for q in (50, 95, 99)
        },
        "max_ms": round(max(latencies_ms)) if latencies_ms else None,
        "samples": (errors + problems["wrong"] + problems["lost"])[:10],
    }
