"""`GET /webhooks/health/`: can this server take a turn now? For the load balancer.

Rasa's `GET /` says only that the process is up. This checks what a turn needs: the
conversation store answers (`SELECT 1`) and the lock store answers (Redis `PING`).
200 with `{"status": "ok", ...}`, else 503 with what failed. Registered in
credentials.yml like any channel; it takes no messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from components.runtime import store_health


def check_tracker_store(store: Any) -> str:
    inner = getattr(store, "_tracker_store", store)
    check = getattr(inner, "check", None)
    if check is None:
        return "not checked"
    check()
    return "ok"


def check_lock_store(store: Any) -> str:
    redis = getattr(store, "red", None)
    if redis is None:
        return "in memory"
    redis.ping()
    return "ok"


class HealthInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "health"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> HealthInput:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        health = Blueprint("health_webhook", __name__)

        @health.route("/", methods=["GET"])
        async def status(request: Request) -> HTTPResponse:
            agent = request.app.ctx.agent
            result: dict[str, str] = {}
            healthy = True
            for name, check, store in (
                ("tracker_store", check_tracker_store, getattr(agent, "tracker_store", None)),
                ("lock_store", check_lock_store, getattr(agent, "lock_store", None)),
            ):
                try:
                    result[name] = await asyncio.to_thread(check, store)
                except Exception as error:  # any failure makes this server unfit for a turn
                    healthy = False
                    result[name] = f"failed: {str(error).strip().splitlines()[0][:200]}"
            if store_health.is_down() and result.get("tracker_store") != "ok":
                healthy = False
            result["status"] = "ok" if healthy else "unavailable"
            return response.json(result, status=200 if healthy else 503)

        return health
