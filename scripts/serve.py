"""Start the whole assistant: action server, Rasa server and the clinic's web page.

One process group: Ctrl-C (or SIGTERM) stops all of them. Prints where to talk to
the assistant once every part answers.

Settings (environment):
  RASA_PORT (5005), WEB_PORT (8080), RASA_HOST (127.0.0.1); the action server
  listens on 127.0.0.1:5055, where endpoints.yml expects it
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
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
READY_TIMEOUT_S = 300
ACTION_PORT = "5055"  # endpoints.yml
# Largest request body the Rasa server reads (Sanic's default is 100 MB); the
# channels refuse messages over 5,000 characters anyway (credentials.yml).
REQUEST_MAX_BYTES = "1000000"
# Sanic closes a connection whose request has not arrived within KEEP_ALIVE_TIMEOUT
# (5 s). Under load Rasa connects to the action server, then writes the request
# seconds later: the action server must wait longer, or that answer is lost.
ACTIONS_KEEP_ALIVE_S = "60"


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def commands() -> dict[str, list[str]]:
    rasa_host = _env("RASA_HOST", "127.0.0.1")
    rasa_port = _env("RASA_PORT", "5005")
    web_port = _env("WEB_PORT", "8080")
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
        _env("RASA_ENDPOINTS", "endpoints.yml"),
    ]
    token = os.environ.get("RASA_API_TOKEN")
    if token:
        rasa += ["--enable-api", "--auth-token", token]
    result = {
        "actions": [str(BIN / "rasa"), "run", "actions", "--port", ACTION_PORT],
        "rasa": rasa,
    }
    web = ROOT / "web" / "server.py"
    if web.exists():
        result["web"] = [sys.executable, str(web), "--port", web_port, "--rasa-port", rasa_port]
    return result


def environments() -> dict[str, dict[str, str]]:
    """The environment of each process: the action server listens on loopback only."""
    python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    common = {
        **os.environ,
        "PYTHONPATH": python_path,  # channels/, components/ and actions/
        "SANIC_HOST": "127.0.0.1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    return {
        "actions": {
            **common,
            "SANIC_KEEP_ALIVE_TIMEOUT": _env("SANIC_KEEP_ALIVE_TIMEOUT", ACTIONS_KEEP_ALIVE_S),
        },
        "rasa": {
            **common,
            "SANIC_REQUEST_MAX_SIZE": _env("SANIC_REQUEST_MAX_SIZE", REQUEST_MAX_BYTES),
            # Errors (404, 413, ...) as JSON, never as an HTML page.
            "SANIC_FALLBACK_ERROR_FORMAT": "json",
        },
        "web": common,
    }


def sqlite_tracker_store(endpoints: Path) -> Path | None:
    """The SQLite file of the tracker store in `endpoints`, if it is one."""
    config = yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}
    store = config.get("tracker_store") or {}
    if str(store.get("type", "")).lower() != "sql" or store.get("dialect", "sqlite") != "sqlite":
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


def wait_until_ready(url: str, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} stopped while starting (exit code {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"{name} did not answer on {url} within {READY_TIMEOUT_S} s")


def main() -> None:
    os.chdir(ROOT)
    check_storage(ROOT / _env("RASA_ENDPOINTS", "endpoints.yml"))
    processes: dict[str, subprocess.Popen] = {}

    def stop(*_: object) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        raise SystemExit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    env = environments()
    for name, command in commands().items():
        processes[name] = subprocess.Popen(command, env=env[name])

    rasa_port = _env("RASA_PORT", "5005")
    wait_until_ready(
        f"http://127.0.0.1:{ACTION_PORT}/health",
        processes["actions"],
        "action server",
    )
    wait_until_ready(f"http://127.0.0.1:{rasa_port}/", processes["rasa"], "Rasa server")
    lines = [
        "",
        "The assistant is ready.",
        f"  REST:      POST http://localhost:{rasa_port}/webhooks/rest/webhook"
        ' {"sender": "me", "message": "what is stem cell therapy?"}',
    ]
    if "web" in processes:
        lines.append(f"  Web page:  http://localhost:{_env('WEB_PORT', '8080')}/")
    lines.append("Press Ctrl-C to stop.")
    print("\n".join(lines), flush=True)
    while True:
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"{name} stopped (exit code {process.returncode}); stopping the rest.")
                stop()
        time.sleep(1)


if __name__ == "__main__":
    main()
