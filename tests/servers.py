"""Start the action server and the Rasa server for tests and benchmarks.

Each run gets its own ports, its own SQLite tracker store and its own logs, so a
test never touches `var/` or a server a developer left running.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
API_TOKEN = "test-token"
READY_TIMEOUT_S = 240
# Largest request body the Rasa server reads, as `make run` sets it (scripts/serve.py);
# errors are JSON, as there.
REQUEST_MAX_BYTES = "1000000"
# How long the action server keeps a connection open before its request arrives, as
# `make run` sets it: Sanic's 5 s default drops Rasa's connections when Rasa is busy.
ACTIONS_KEEP_ALIVE_S = "60"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited; log:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(
        f"{url} not ready after {READY_TIMEOUT_S} s; log:\n{log.read_text()[-4000:]}"
    )


def server_env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SANIC_HOST": "127.0.0.1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }


@dataclass
class Assistant:
    """A running pair of servers; `post` and `tracker` talk to the Rasa one."""

    model: Path
    workdir: Path
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    extra_rasa_args: tuple[str, ...] = ()
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def write_endpoints(self) -> Path:
        endpoints = self.workdir / "endpoints.yml"
        endpoints.write_text(
            json.dumps(
                {
                    "action_endpoint": {"url": f"http://127.0.0.1:{self.action_port}/webhook"},
                    "tracker_store": {
                        "type": "SQL",
                        "dialect": "sqlite",
                        "db": str(self.workdir / "conversations.db"),
                    },
                }
            )
        )
        return endpoints

    def start_actions(self) -> None:
        log = self.workdir / "actions.log"
        self.processes["actions"] = subprocess.Popen(
            [str(BIN / "rasa"), "run", "actions", "--port", str(self.action_port)],
            cwd=ROOT,
            env={"SANIC_KEEP_ALIVE_TIMEOUT": ACTIONS_KEEP_ALIVE_S, **server_env()},
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        wait_for(f"http://127.0.0.1:{self.action_port}/health", self.processes["actions"], log)

    def stop_actions(self) -> None:
        self._stop("actions")

    def start_rasa(self) -> None:
        log = self.workdir / "rasa.log"
        command = [
            str(BIN / "rasa"), "run", "--model", str(self.model),
            "--interface", "127.0.0.1", "--port", str(self.rasa_port),
            "--endpoints", str(self.write_endpoints()),
            "--credentials", str(ROOT / "credentials.yml"),
            "--enable-api", "--auth-token", API_TOKEN, *self.extra_rasa_args,
        ]  # fmt: skip
        env = {
            "SANIC_REQUEST_MAX_SIZE": REQUEST_MAX_BYTES,
            "SANIC_FALLBACK_ERROR_FORMAT": "json",
            **server_env(),
        }
        self.processes["rasa"] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
        )
        wait_for(f"{self.url}/", self.processes["rasa"], log)

    def stop_rasa(self) -> None:
        self._stop("rasa")

    def start(self) -> Assistant:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.start_actions()
        self.start_rasa()
        return self

    def stop(self) -> None:
        for name in list(self.processes):
            self._stop(name)

    def _stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def post(self, sender: str, message: str, timeout: float = 30) -> list[dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{self.url}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def tracker(self, sender: str) -> dict[str, Any]:
        url = f"{self.url}/conversations/{sender}/tracker?token={API_TOKEN}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())

    def answer_id(self, sender: str) -> str | None:
        return self.tracker(sender)["slots"].get("answer_id")
