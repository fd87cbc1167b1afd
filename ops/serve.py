"""Start the whole assistant: action server, Rasa server and the clinic's web page.

`python -m ops.serve actions` or `python -m ops.serve rasa` runs one of them alone in
the foreground, as a service manager does (deploy/systemd).

One process group: Ctrl-C (or SIGTERM) stops all of them. Prints where to talk to
the assistant once every part answers. A part that stops is started again after a
back-off (1 s, doubling up to 30 s; back to 1 s once it has run for a minute), with
one line saying so.

Settings (environment):
  RASA_PORT (5005), WEB_PORT (8080), RASA_HOST (127.0.0.1); the action server
  listens on 127.0.0.1:ACTION_PORT (5055), where endpoints.yml expects it
  DATABASE_URL, REDIS_URL  PostgreSQL and Redis for several servers (endpoints.cluster.yml)
  RASA_API_TOKEN   enables Rasa's HTTP API, protected by this token (off when unset)
  CORS_ORIGINS     space-separated origins allowed to call Rasa (default: the web page)
  RASA_PUBLIC_URL  the Rasa URL as browsers reach it (default http://<page host>:RASA_PORT)
  RASA_ENDPOINTS   endpoints file (default endpoints.yml)
  SANIC_REQUEST_MAX_SIZE  largest request body the Rasa server reads, in bytes (1000000)
  SANIC_KEEP_ALIVE_TIMEOUT  how long the action server waits for the request on a
                   connection, in seconds (60)

Before starting anything it checks that the conversations can be stored: with an
SQLite tracker store whose file or folder is not writable, Rasa would start, log
an error and keep conversations in memory only, so that they are lost on restart.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from clinic.catalog import load_catalog
from clinic.review import ReviewError, review_status
from clinic.settings import SettingsError, load_settings
from ops.environment import (
    ACTION_PORT,
    BIN,
    RASA_PORT,
    ROOT,
    WEB_PORT,
    actions_env,
    common_env,
    endpoints_file,
    rasa_env,
)
from ops.environment import setting as _env
from ops.processes import NotReady, wait_until_ready
from ops.store import is_sql_store

READY_TIMEOUT_S = 300


def commands() -> dict[str, list[str]]:
    rasa_host = _env("RASA_HOST", "127.0.0.1")
    rasa_port = _env("RASA_PORT", RASA_PORT)
    web_port = _env("WEB_PORT", WEB_PORT)
    cors = _env("CORS_ORIGINS", f"http://localhost:{web_port} http://127.0.0.1:{web_port}")
    rasa = [
        str(BIN / "rasa"),
        "run",
        "--interface",
        rasa_host,
        "--port",
        rasa_port,
        "--cors",
        *cors.split(),
        "--credentials",
        "credentials.yml",
        "--endpoints",
        str(endpoints_file()),
    ]
    token = os.environ.get("RASA_API_TOKEN")
    if token:
        rasa += ["--enable-api", "--auth-token", token]
    result = {
        "actions": [
            str(BIN / "rasa"),
            "run",
            "actions",
            "--port",
            _env("ACTION_PORT", ACTION_PORT),
        ],
        "rasa": rasa,
    }
    web = ROOT / "web" / "server.py"
    if web.exists():
        result["web"] = [sys.executable, str(web), "--port", web_port, "--rasa-port", rasa_port]
    return result


def environments() -> dict[str, dict[str, str]]:
    """The environment of each process: the action server listens on loopback only."""
    return {"actions": actions_env(), "rasa": rasa_env(), "web": common_env()}


def sqlite_tracker_store(endpoints: Path) -> Path | None:
    """The SQLite file of the tracker store in `endpoints`, if it is one."""
    config = yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}
    store = config.get("tracker_store") or {}
    if not is_sql_store(str(store.get("type", ""))) or store.get("dialect", "sqlite") != "sqlite":
        return None
    db = Path(str(store.get("db", "rasa.db")))
    return db if db.is_absolute() else ROOT / db


def storage_problem(db: Path) -> str | None:
    """Why conversations could not be written to the SQLite file `db`, or None."""
    folder = db.parent
    if folder.exists() and not folder.is_dir():
        return f"{folder} is not a folder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # SQLite writes a journal file next to the database.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
            pass
    except OSError as error:
        return f"its folder {folder} is not writable ({error.strerror or error})"
    if db.exists() and not db.is_file():
        return f"{db} is not a file"
    try:
        connection = sqlite3.connect(db, timeout=10)
        try:
            connection.execute("BEGIN IMMEDIATE")  # takes the write lock
            connection.rollback()
        finally:
            connection.close()
    except sqlite3.Error as error:
        return f"{db} is not writable ({error})"
    return None


def check_storage(endpoints: Path) -> None:
    """Stop with a one-line error if conversations could not be stored."""
    try:
        (ROOT / "var").mkdir(exist_ok=True)
    except OSError as error:
        raise SystemExit(f"error: cannot create {ROOT / 'var'}: {error.strerror}") from None
    if not endpoints.is_file():
        raise SystemExit(f"error: {endpoints} not found")
    db = sqlite_tracker_store(endpoints)
    problem = storage_problem(db) if db else None
    if problem:
        raise SystemExit(
            f"error: conversations cannot be stored: {problem}. Fix the permissions or "
            f"change tracker_store in {endpoints.name}; nothing was started."
        )


LABELS = {"actions": "action server", "rasa": "Rasa server", "web": "web page"}
FIRST_BACKOFF_S = 1.0
MAX_BACKOFF_S = 30.0
STABLE_AFTER_S = 60.0  # a server up this long starts again from the first back-off


class Group:
    """The running processes; each one that dies is started again after a back-off."""

    def __init__(self) -> None:
        self.commands = commands()
        self.env = environments()
        self.processes: dict[str, subprocess.Popen] = {}
        self.started_at: dict[str, float] = {}
        self.backoff_s = dict.fromkeys(self.commands, FIRST_BACKOFF_S)

    def start(self, name: str) -> None:
        self.processes[name] = subprocess.Popen(self.commands[name], env=self.env[name])
        self.started_at[name] = time.monotonic()

    def stop(self, *_: object, code: int = 0) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        raise SystemExit(code)

    def wait_ready(self) -> None:
        rasa_port = _env("RASA_PORT", RASA_PORT)
        action_port = _env("ACTION_PORT", ACTION_PORT)
        urls = {"actions": f"http://127.0.0.1:{action_port}/health",
                "rasa": f"http://127.0.0.1:{rasa_port}/"}  # fmt: skip
        try:
            for name, url in urls.items():
                wait_until_ready(url, self.processes[name], LABELS[name], timeout_s=READY_TIMEOUT_S)
        except NotReady as error:
            print(f"error: {error}", flush=True)
            self.stop(code=1)

    def restart_the_dead(self) -> None:
        for name, process in list(self.processes.items()):
            if process.poll() is None:
                if time.monotonic() - self.started_at[name] > STABLE_AFTER_S:
                    self.backoff_s[name] = FIRST_BACKOFF_S
                continue
            delay = self.backoff_s[name]
            print(
                f"{LABELS[name]} stopped (exit code {process.returncode}); "
                f"starting it again in {delay:.0f} s.",
                flush=True,
            )
            time.sleep(delay)
            self.backoff_s[name] = min(delay * 2, MAX_BACKOFF_S)
            self.start(name)
            print(f"{LABELS[name]} started again.", flush=True)


def ready_message(group: Group) -> str:
    rasa_port = _env("RASA_PORT", RASA_PORT)
    lines = [
        "",
        "The assistant is ready.",
        f"  REST:      POST http://localhost:{rasa_port}/webhooks/rest/webhook"
        ' {"sender": "me", "message": "what is stem cell therapy?"}',
    ]
    if "web" in group.processes:
        lines.append(f"  Web page:  http://localhost:{_env('WEB_PORT', WEB_PORT)}/")
    lines.append("A server that stops is started again. Press Ctrl-C to stop.")
    return "\n".join(lines)


def print_review_status() -> None:
    """Which answers a clinician has not yet reviewed, or must review again."""
    try:
        for line in review_status(load_catalog()).lines():
            print(f"Review: {line}", flush=True)
    except ReviewError as error:
        print(f"Review: {error}", flush=True)


def main() -> None:
    os.chdir(ROOT)
    try:
        load_settings()
    except SettingsError as error:
        raise SystemExit(f"error: {error}") from None
    check_storage(endpoints_file())
    group = Group()
    signal.signal(signal.SIGINT, group.stop)
    signal.signal(signal.SIGTERM, group.stop)
    for name in group.commands:
        group.start(name)
    group.wait_ready()
    print(ready_message(group), flush=True)
    print_review_status()
    while True:
        group.restart_the_dead()
        time.sleep(1)


def only(name: str) -> None:
    """One server in the foreground, as a service manager runs it (`make actions`,
    `make shell`, deploy/systemd): `actions` or `rasa`."""
    os.chdir(ROOT)
    if name == "rasa":
        check_storage(endpoints_file())
    command = commands()[name]
    os.execve(command[0], command, environments()[name])


if __name__ == "__main__":
    if sys.argv[1:] in (["actions"], ["rasa"]):
        only(sys.argv[1])
    elif sys.argv[1:]:
        raise SystemExit("usage: python -m ops.serve [actions | rasa]")
    else:
        main()
