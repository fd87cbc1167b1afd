"""Ports, environment variables and server settings of every way the assistant runs.

`make run`, `make shell`, the tests, the soak and the benchmarks all start the action
server and the Rasa server with these settings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
# Quiet logs, and no usage or crash reports sent to Rasa (they could hold patients' words).
QUIET = {
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "RASA_TELEMETRY_ENABLED": "false",
}


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


def endpoints_file() -> Path:
    """RASA_ENDPOINTS if set; with DATABASE_URL the PostgreSQL and Redis set-up; else SQLite."""
    if os.environ.get("RASA_ENDPOINTS"):
        return Path(os.environ["RASA_ENDPOINTS"])
    return ROOT / ("endpoints.cluster.yml" if os.environ.get("DATABASE_URL") else "endpoints.yml")


def store_env(database_url: str | None = None, redis_url: str | None = None) -> dict[str, str]:
    """The variables of endpoints.cluster.yml from DATABASE_URL and REDIS_URL:
    postgresql://user:password@host:port/db and redis://:password@host:port/db."""
    database_url = database_url or os.environ.get("DATABASE_URL")
    redis_url = redis_url or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    if not database_url:
        return {}
    db, redis = urlsplit(database_url), urlsplit(redis_url)
    if db.scheme not in ("postgresql", "postgres") or redis.scheme != "redis":
        raise SystemExit(
            "error: DATABASE_URL must be postgresql://user:password@host:port/db and "
            "REDIS_URL redis://:password@host:port/db"
        )
    return {
        "DB_HOST": db.hostname or "127.0.0.1",
        "DB_PORT": str(db.port or 5432),
        "DB_NAME": db.path.lstrip("/") or "rasa",
        "DB_USER": unquote(db.username or "rasa"),
        "DB_PASSWORD": unquote(db.password or ""),
        "REDIS_HOST": redis.hostname or "127.0.0.1",
        "REDIS_PORT": str(redis.port or 6379),
        "REDIS_DB": redis.path.lstrip("/") or "0",
        "REDIS_PASSWORD": unquote(redis.password or ""),
    }


def rasa_env() -> dict[str, str]:
    return {
        **common_env(),
        "ACTION_ENDPOINT_URL": setting(
            "ACTION_ENDPOINT_URL", f"http://localhost:{setting('ACTION_PORT', ACTION_PORT)}/webhook"
        ),
        **store_env(),
        "SANIC_REQUEST_MAX_SIZE": setting("SANIC_REQUEST_MAX_SIZE", REQUEST_MAX_BYTES),
        # Errors (404, 413, ...) as JSON, never as an HTML page.
        "SANIC_FALLBACK_ERROR_FORMAT": "json",
    }
