"""Start the whole assistant: action server, Rasa server and the clinic's web page.

One process group: Ctrl-C (or SIGTERM) stops all of them. Prints where to talk to
the assistant once every part answers.

Settings (environment):
  RASA_PORT (5005), WEB_PORT (8080), RASA_HOST (127.0.0.1); the action server
  listens on 127.0.0.1:5055, where endpoints.yml expects it
  RASA_API_TOKEN   enables Rasa's HTTP API, protected by this token (off when unset)
  CORS_ORIGINS     space-separated origins allowed to call Rasa (default: the web page)
  RASA_PUBLIC_URL  the Rasa URL as browsers reach it (default http://<page host>:RASA_PORT)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
READY_TIMEOUT_S = 300
ACTION_PORT = "5055"  # endpoints.yml


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
        "endpoints.yml",
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
    (ROOT / "var").mkdir(exist_ok=True)
    env = {
        **os.environ,
        "SANIC_HOST": "127.0.0.1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
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
    for name, command in commands().items():
        processes[name] = subprocess.Popen(command, env=env)

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
