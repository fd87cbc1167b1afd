"""A patient in the website widget's place: a socket.io client of Rasa's channel."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import socketio

SETTLE_S = 1.0  # this long without a new bot message: the reply is complete
REPLY_TIMEOUT_S = 30

if not hasattr(aiohttp, "ClientWSTimeout"):
    # python-engineio 4.15's asyncio client expects aiohttp >= 3.11 (Rasa pins 3.9).
    aiohttp.ClientWSTimeout = lambda ws_close=10.0, **_: ws_close  # type: ignore[attr-defined]


class Chat:
    """One widget-like socket.io connection to a session (python-socketio client)."""

    def __init__(self, url: str, session_id: str) -> None:
        self.url = url
        self.session_id = session_id
        self.client = socketio.AsyncClient(reconnection=False)
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.confirmed = asyncio.Event()
        self.closed = asyncio.Event()
        self.client.on("bot_uttered", self._bot)
        self.client.on("session_confirm", self._confirm)
        self.client.on("disconnect", self.closed.set)

    async def _bot(self, data: dict[str, Any]) -> None:
        await self.inbox.put(data)

    async def _confirm(self, _: Any) -> None:
        self.confirmed.set()

    async def __aenter__(self) -> Chat:
        await self.client.connect(
            self.url, socketio_path="/socket.io", transports=["websocket"], wait_timeout=20
        )
        await self.client.emit("session_request", {"session_id": self.session_id})
        await asyncio.wait_for(self.confirmed.wait(), 10)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.client.connected:
            await self.client.disconnect()

    async def send(self, data: Any) -> None:
        await self.client.emit("user_uttered", data)

    async def say(self, text: str) -> list[dict[str, Any]]:
        await self.send({"message": text, "session_id": self.session_id})
        return await self.replies()

    async def replies(self, first_timeout: float = REPLY_TIMEOUT_S) -> list[dict[str, Any]]:
        """Bot messages until none came for SETTLE_S (none at all within first_timeout)."""
        received: list[dict[str, Any]] = []
        timeout = first_timeout
        while True:
            try:
                received.append(await asyncio.wait_for(self.inbox.get(), timeout))
            except asyncio.TimeoutError:
                return received
            timeout = SETTLE_S
