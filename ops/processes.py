"""Start, wait for and stop the action server and the Rasa server.

`Assistant` runs a pair on free loopback ports with its own SQLite tracker store and
its own logs (tests, soak, benchmarks: nothing touches `var/` or a server a developer
left running); `wait_until_ready` is the one wait loop, also used by `make run`.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ops.environment import BIN, ROOT, actions_env, rasa_env

API_TOKEN = "test-token"
READY_TIMEOUT_S = 240


class NotReady(RuntimeError):
    """A server stopped while starting, or did not answer in time."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_ready(
    url: str,
    process: subprocess.Popen,
    name: str,
    log: Path | None = None,
    timeout_s: float = READY_TIMEOUT_S,
) -> None:
    """Poll `url` until it answers; `NotReady` (with the log's tail) if the process ends
    or `timeout_s` passes first."""
    deadline = time.monotonic() + timeout_s
    tail = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            if log:
                tail = "; log:\n" + log.read_text(errors="replace")[-4000:]
            raise NotReady(f"{name} stopped while starting (exit code {process.returncode}){tail}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    if log:
        tail = "; log:\n" + log.read_text(errors="replace")[-4000:]
    raise NotReady(f"{name} did not answer on {url} within {timeout_s:.0f} s{tail}")


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    """`wait_until_ready` for a server of the test harness, named by its URL."""
    wait_until_ready(url, process, url, log)


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
                        "type": "components.runtime.tracker_store.CheckedSQLTrackerStore",
                        "spool_dir": str(self.workdir / "spool"),
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
            env=actions_env(),
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
        self.processes["rasa"] = subprocess.Popen(
            command, cwd=ROOT, env=rasa_env(), stdout=log.open("ab"), stderr=subprocess.STDOUT
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
