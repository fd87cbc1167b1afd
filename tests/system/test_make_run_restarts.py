"""`make run` (ops/serve.py) starts a stopped server again, and the conversation goes on.

The Rasa server under `python -m ops.serve` is killed; ops.serve says so, starts it
again, and the patient's conversation continues where it was (SQLite tracker store).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ops.environment import ROOT
from ops.processes import free_port

pytestmark = pytest.mark.server

START_TIMEOUT_S = 300


@dataclass
class Served:
    process: subprocess.Popen
    rasa_port: int
    db: Path
    lines: queue.Queue = field(default_factory=queue.Queue)

    def read_output(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for_line(self, start: str, timeout_s: float = START_TIMEOUT_S) -> list[str]:
        seen: list[str] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                assert self.process.poll() is None, f"ops.serve exited: {seen[-20:]}"
                continue
            seen.append(line)
            if line.startswith(start):
                return seen
        raise AssertionError(f"no line {start!r} within {timeout_s} s: {seen[-20:]}")

    def post(self, sender: str, text: str) -> list[dict]:
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def answer_ids(self, sender: str) -> list[str]:
        with sqlite3.connect(self.db) as connection:
            rows = connection.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'slot' ORDER BY id",
                (sender,),
            ).fetchall()
        slots = [json.loads(data) for (data,) in rows]
        return [s["value"] for s in slots if s.get("name") == "answer_id" and s.get("value")]


def rasa_server_pid(parent: int) -> int:
    """The `rasa run` child of ops.serve that serves the chat (not `rasa run actions`)."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
            command = (status.parent / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if int(fields.get("PPid", "0")) == parent and b"--interface" in command:
            return int(status.parent.name)
    raise AssertionError("the Rasa server process was not found")


@pytest.fixture
def served(trained_model: Path, tmp_path: Path) -> Iterator[Served]:
    ports = {name: free_port() for name in ("RASA_PORT", "WEB_PORT", "ACTION_PORT")}
    db = tmp_path / "conversations.db"
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(json.dumps({
        "action_endpoint": {"url": f"http://127.0.0.1:{ports['ACTION_PORT']}/webhook"},
        "tracker_store": {"type": "components.runtime.tracker_store.CheckedSQLTrackerStore",
                          "dialect": "sqlite", "db": str(db)},
    }))  # fmt: skip
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "RASA_ENDPOINTS": str(endpoints),
           "TRACKER_SPOOL_DIR": str(tmp_path / "spool")}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "ops.serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    running = Served(process, ports["RASA_PORT"], db)
    threading.Thread(target=running.read_output, daemon=True).start()
    try:
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(30)


def test_a_killed_rasa_server_is_started_again_and_the_conversation_goes_on(served: Served):
    served.wait_for_line("The assistant is ready.")
    assert served.post("restart-1", "what is stem cell therapy for back pain")
    assert served.answer_ids("restart-1") == ["overview"]

    os.kill(rasa_server_pid(served.process.pid), signal.SIGKILL)
    stopped = served.wait_for_line("Rasa server started again.", timeout_s=60)
    assert any(line.startswith("Rasa server stopped (exit code -9)") for line in stopped)

    deadline = time.monotonic() + START_TIMEOUT_S
    while True:  # the new server loads the model first
        try:
            replies = served.post("restart-1", "how is the injection given")
            break
        except OSError:
            assert time.monotonic() < deadline, "the Rasa server did not come back"
            time.sleep(2)
    assert replies and replies[0]["text"]
    assert served.answer_ids("restart-1") == ["overview", "procedure"]
    assert served.process.poll() is None  # ops.serve itself kept running
