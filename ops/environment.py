"""Ports, environment variables and server settings of every way the assistant runs.

`make run`, `make shell`, the tests, the soak and the benchmarks all start the action
server and the Rasa server with these settings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ACTION_PORT = 5055  # endpoints.yml
RASA_PORT = 5005
WEB_PORT = 8080
# Largest request body the Rasa server reads (Sanic's default is 100 MB); the
# channels refuse messages over 5,000 characters anyway (credentials.yml).
REQUEST_MAX_BYTES = "1000000"
# Sanic closes a connection whose request has not arrived within KEEP_ALIVE_TIMEOUT
# (5 s). Under load Rasa connects to the action server, then writes the request
# seconds later: the action server must wait longer, or that answer is lost.
ACTIONS_KEEP_ALIVE_S = "60"
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}


def setting(name: str, default: str | int) -> str:
    """An environment setting, or its default when unset or empty."""
    return os.environ.get(name) or str(default)


def common_env() -> dict[str, str]:
    """Our code importable, servers on loopback unless told otherwise, quiet logs."""
    python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": python_path, "SANIC_HOST": "127.0.0.1", **QUIET}


def actions_env() -> dict[str, str]:
    return {
        **common_env(),
        "SANIC_KEEP_ALIVE_TIMEOUT": setting("SANIC_KEEP_ALIVE_TIMEOUT", ACTIONS_KEEP_ALIVE_S),
    }


def rasa_env() -> dict[str, str]:
    return {
        **common_env(),
        "SANIC_REQUEST_MAX_SIZE": setting("SANIC_REQUEST_MAX_SIZE", REQUEST_MAX_BYTES),
        # Errors (404, 413, ...) as JSON, never as an HTML page.
        "SANIC_FALLBACK_ERROR_FORMAT": "json",
    }
