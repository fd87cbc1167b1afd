"""Restarts and failing parts: conversations go on and the patient gets a calm reply.

- Restarts: a conversation continues after the Rasa server restarts (SQLite tracker
  store); patients chatting while the action server restarts lose no turn.
- Failures: a slow action server gets the apology with the clinic's phone after the
  action timeout, and the emergency reply still comes; an unwritable tracker store
  stops `make run` (ops/serve.py) at once with a one-line error.

The servers are shared by the whole module; the tests that stop parts of them run last.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from clinic.catalog import Catalog
from ops import serve
from ops.processes import Assistant, free_port
from tests.system.bad_input_kit import (
    ACTION_TIMEOUT_S,
    APOLOGY,
    FOLLOW_UPS,
    REPLY_TIMEOUT_S,
    ROOT,
    follow_up,
)
from tests.system.sio_chat import Chat

# ------------------------------------------------------------------------- restarts


def user_texts(state: dict[str, Any]) -> list[str]:
    return [event.get("text") for event in state["events"] if event["event"] == "user"]


WELCOME = "not medical advice"  # in the welcome, sent once a session


@pytest.mark.server
async def test_conversations_continue_after_a_rasa_server_restart(assistant: Assistant):
    rest, sio = "restart-rest", "restart-sio"
    assert assistant.post(rest, "hello")
    assert assistant.post(rest, "how is the injection given")
    async with Chat(assistant.url, sio) as chat:
        assert await chat.say("what is stem cell therapy for back pain")

    await asyncio.to_thread(assistant.stop_rasa)
    await asyncio.to_thread(assistant.start_rasa)

    # The same session continues: no second welcome, the earlier turns are still there.
    replies = assistant.post(rest, "is it safe? are there risks")
    assert len(replies) == 1 and WELCOME not in replies[0]["text"], replies
    assert assistant.answer_id(rest) == "safety"
    state = assistant.tracker(rest)
    assert user_texts(state) == [
        "hello",
        "how is the injection given",
        "is it safe? are there risks",
    ]
    assert [e["event"] for e in state["events"]].count("session_started") == 1

    async with Chat(assistant.url, sio) as chat:
        replies = await chat.say("how much does it cost")
    assert replies and not any(WELCOME in reply.get("text", "") for reply in replies)
    assert assistant.answer_id(sio) == "not_covered"
    assert user_texts(assistant.tracker(sio)) == [
        "what is stem cell therapy for back pain",
        "how much does it cost",
    ]


@pytest.mark.server
async def test_patients_chatting_through_an_action_server_restart_lose_no_turn(
    assistant: Assistant, catalog: Catalog
):
    patients = 4
    apology = APOLOGY.replace("{clinic_phone}", catalog.settings["phone"])
    stop = asyncio.Event()
    sent: dict[str, list[str]] = {}
    problems: list[str] = []
    apologies = 0

    async def patient(http: aiohttp.ClientSession, number: int) -> None:
        nonlocal apologies
        sender = f"actions-restart-{number}"
        sent[sender] = []
        turn = number
        while not stop.is_set():
            question, _ = follow_up(turn)
            turn += 1
            sent[sender].append(question)
            body = {"sender": sender, "message": question}
            async with http.post(f"{assistant.url}/webhooks/rest/webhook", json=body) as r:
                replies = await r.json(content_type=None) if r.status == 200 else None
            if not replies:
                problems.append(f"{sender} turn {len(sent[sender])}: HTTP {r.status}, {replies}")
            elif replies[-1].get("text") == apology:
                apologies += 1
            await asyncio.sleep(0.3)

    async def restart() -> None:
        await asyncio.sleep(2)
        await asyncio.to_thread(assistant.stop_actions)
        await asyncio.sleep(2)  # messages in this gap get the apology
        await asyncio.to_thread(assistant.start_actions)
        await asyncio.sleep(3)
        stop.set()

    timeout = aiohttp.ClientTimeout(total=REPLY_TIMEOUT_S)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        await asyncio.gather(restart(), *(patient(http, n) for n in range(patients)))

    assert not problems, problems
    assert apologies, "no message fell into the restart"
    for sender, questions in sent.items():
        state = assistant.tracker(sender)
        assert user_texts(state) == questions, sender
        # Every patient turn has a bot reply before the next one.
        turns = []
        for event in state["events"]:
            if event["event"] == "user":
                turns.append(0)
            elif event["event"] == "bot" and turns:
                turns[-1] += 1
        assert all(turns), (sender, turns)
        # After the restart the answers are real again.
        assert state["slots"]["answer_id"] == dict(FOLLOW_UPS)[questions[-1]], sender


# ------------------------------------------------------------------------- failures


class SlowActionServer:
    """An action server that answers nothing for `delay_s` (run in a thread)."""

    def __init__(self, port: int, delay_s: float) -> None:
        self.port, self.delay_s = port, delay_s
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.runner: web.AppRunner | None = None

    async def _webhook(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.delay_s)
        return web.json_response({"events": [], "responses": []})

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/webhook", self._webhook)
        self.runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    def __enter__(self) -> SlowActionServer:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        return self

    def __exit__(self, *_: object) -> None:
        assert self.runner is not None
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def timed(assistant: Assistant, sender: str, message: str) -> tuple[list[dict], float]:
    began = time.monotonic()
    replies = assistant.post(sender, message, timeout=ACTION_TIMEOUT_S * 4)
    return replies, time.monotonic() - began


RED_FLAG = "numb between my legs and I can't pee"


# Keep last but one: it replaces the action server with a slow one.
@pytest.mark.server
def test_a_slow_action_server_gets_the_apology_and_the_emergency_reply_still_comes(
    assistant: Assistant, catalog: Catalog
):
    sender = "slow-actions"
    assert assistant.post(sender, "hello")  # the session has started
    assistant.stop_actions()
    with SlowActionServer(assistant.action_port, delay_s=ACTION_TIMEOUT_S * 3):
        replies, took = timed(assistant, sender, "how is the injection given")
        assert len(replies) == 1 and catalog.settings["phone"] in replies[0]["text"]
        assert assistant.answer_id(sender) == "fallback_unavailable"
        assert ACTION_TIMEOUT_S - 1 < took < ACTION_TIMEOUT_S + 8, took

        replies, took = timed(assistant, sender, RED_FLAG)
        assert catalog.settings["emergency_number"] in replies[0]["text"]
        assert assistant.answer_id(sender) == "emergency"
        assert took < 5, took

        # A new patient: the session start waits for the action timeout first.
        replies, took = timed(assistant, "slow-actions-new", RED_FLAG)
        assert catalog.settings["emergency_number"] in replies[0]["text"]
        assert took < ACTION_TIMEOUT_S + 8, took


def unwritable_store(tmp_path: Path, how: str) -> Path:
    if how == "folder_is_a_file":
        (tmp_path / "var").write_text("not a folder")
        return tmp_path / "var" / "conversations.db"
    if how == "database_is_a_folder":
        (tmp_path / "conversations.db").mkdir()
        return tmp_path / "conversations.db"
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    return folder / "conversations.db"


CASES = ["folder_is_a_file", "database_is_a_folder", "read_only_folder"]


@pytest.mark.parametrize("how", CASES)
def test_an_unwritable_tracker_store_stops_make_run_at_start(tmp_path: Path, how: str):
    if how == "read_only_folder" and os.geteuid() == 0:
        pytest.skip("root writes to read-only folders")
    db = unwritable_store(tmp_path, how)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(json.dumps({"tracker_store": {"type": "SQL", "dialect": "sqlite",
                                                       "db": str(db)}}))  # fmt: skip
    env = {**os.environ, "RASA_ENDPOINTS": str(endpoints),
           "RASA_PORT": str(free_port()), "WEB_PORT": str(free_port())}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "ops.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)
    assert process.returncode != 0
    assert "ready" not in stdout
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: conversations cannot be stored")
    assert "Traceback" not in stderr


def test_a_writable_tracker_store_passes_the_start_check(tmp_path: Path):
    assert serve.storage_problem(tmp_path / "var" / "conversations.db") is None
    assert serve.sqlite_tracker_store(ROOT / "endpoints.yml") == ROOT / "var" / "conversations.db"
