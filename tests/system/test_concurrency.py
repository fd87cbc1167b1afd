"""200 conversations at once over REST: every reply reaches its own conversation with
its right answer id, none is lost, none is a 5xx (ops/traffic.py checks each turn
against the conversation's tracker)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from ops import traffic
from ops.processes import API_TOKEN, Assistant

pytestmark = pytest.mark.server

CONVERSATIONS = 200
TURNS = 3


@pytest.fixture(scope="module")
def assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    running = Assistant(trained_model, tmp_path_factory.mktemp("concurrency")).start()
    yield running
    running.stop()


def test_200_conversations_at_once_each_get_their_own_right_answers(assistant: Assistant):
    conversations = traffic.plan(CONVERSATIONS, TURNS, label="concurrent", seed=7)
    # Different questions: no two conversations ask the same ones in the same order.
    assert len({tuple(c.turns) for c in conversations}) == CONVERSATIONS

    elapsed = asyncio.run(traffic.run(assistant.url, conversations, concurrency=CONVERSATIONS))
    problems = asyncio.run(traffic.verify(assistant.url, API_TOKEN, conversations))
    result = traffic.summary(conversations, problems, elapsed)
    print(f"\n{result}")

    assert result["conversations"] == CONVERSATIONS
    assert result["messages"] == CONVERSATIONS * TURNS
    assert result["errors"] == 0, result["samples"]
    assert result["lost_turns"] == 0, result["samples"]
