"""The `socketio` channel (the website widget), checking each message first.

Same path (/socket.io), events (`session_request`, `session_confirm`, the user
and bot events of credentials.yml) and session persistence as Rasa's
SocketIOInput. What Rasa's channel drops silently or fails on (data that is not
an object, a message that is not text, a missing session id, metadata that is
not JSON) and messages longer than `max_message_chars` get a short notice from
the bot instead, to this socket only; nothing of them is stored.

Below the chat messages, the socket.io protocol itself rejects what it cannot
read: python-socketio ignores a malformed packet and engine.io closes a
connection that sends more than 1 MB at once (the widget then reconnects and
continues the same session).
"""

from __future__ import annotations

import inspect
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import rasa.core.channels.socketio
import structlog
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Blueprint

from channels.checks import MAX_MESSAGE_CHARS, BadMessage, check_sender, check_text
from clinic.notices import load_notices

logger = structlog.get_logger()


class SocketIOInput(rasa.core.channels.socketio.SocketIOInput):
    """credentials.yml: `channels.socketio.SocketIOInput:` with Rasa's socketio keys, plus
    optional `max_message_chars`. What it says to a message it cannot answer is in
    content/notices.yml."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rasa's from_credentials passes only its own keys; ours are set after it.
        self.max_message_chars = MAX_MESSAGE_CHARS
        self.notices = load_notices()

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SocketIOInput:
        credentials = dict(credentials or {})
        limit = int(credentials.pop("max_message_chars", MAX_MESSAGE_CHARS))
        channel = super().from_credentials(credentials)
        assert isinstance(channel, SocketIOInput)
        channel.max_message_chars = limit
        return channel

    def read(self, sid: str, data: Any) -> tuple[str, str, dict[str, Any]]:
        """sender, text and metadata of a `user_uttered` event, or BadMessage."""
        if not isinstance(data, dict):
            raise BadMessage(f"data must be an object, not {type(data).__name__}")
        if self.session_persistence:
            try:
                sender_id = check_sender(data.get("session_id"), "session_id")
            except BadMessage as bad:
                raise BadMessage(bad.reason, notice="no_session") from None
        else:
            sender_id = sid
        text = check_text(data.get("message"), self.max_message_chars)
        metadata = data.get(self.metadata_key) or {}
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                metadata = {}
        return sender_id, text, metadata if isinstance(metadata, dict) else {}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        assert sio is not None

        # Registered after Rasa's handlers for the same events, so these replace them.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            try:
                session_id = check_sender(session_id, "session_id")
            except BadMessage:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, session_id)
                if inspect.isawaitable(entered):  # python-socketio >= 5.9
                    await entered
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            try:
                sender_id, text, metadata = self.read(sid, data)
            except BadMessage as bad:
                logger.warning("socketio.message.rejected", reason=bad.reason)
                await self.notify(sid, bad.notice)
                return
            message = UserMessage(
                text,
                SocketIOOutput(sio, self.bot_message_evt),
                sender_id,
                input_channel=self.name(),
                metadata=metadata,
            )
            try:
                await on_new_message(message)
            except Exception:
                logger.exception("socketio.message.failure", sender_id=sender_id)
                await self.notify(sid, "failed")

        return blueprint

    async def notify(self, sid: str, notice: str) -> None:
        assert self.sio is not None
        text = self.notices.text(notice, self.max_message_chars)
        await self.sio.emit(self.bot_message_evt, {"text": text}, room=sid)
