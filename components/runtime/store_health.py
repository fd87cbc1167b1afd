"""Whether this server can reach its conversation store now (one flag per process).

Set by the tracker store (components/runtime/tracker_store.py) on each failure and
success; read by the health endpoint (channels/health.py) and by the answer-service
policy, which sends a calm apology while the store is down.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_problem: str | None = None


def mark_down(problem: str) -> None:
    global _problem
    with _lock:
        _problem = problem


def mark_up() -> None:
    global _problem
    with _lock:
        _problem = None


def is_down() -> bool:
    return _problem is not None


def problem() -> str | None:
    return _problem
