"""The `rest` channel (POST /webhooks/rest/webhook), checking each request first.

Same URL, body and replies as Rasa's RestInput. A body that is not a JSON object
with a string `sender` and a string `message` gets a 400 with a one-line reason,
a message longer than `max_message_chars` a 413; nothing of either is stored.
If the assistant fails while answering, the patient gets a short apology with
the clinic's phone instead of an empty reply.
"""

from __future__ import annotations

from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any

import rasa.core.channels.rest
import rasa.utils.endpoints
import structlog
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse, ResponseStream

from channels.checks import (
    MAX_MESSAGE_CHARS,
    BadMessage,
    check_metadata,
    check_sender,
    check_text,
)
from clinic.notices import load_notices

logger = structlog.get_logger()


class RestInput(rasa.core.channels.rest.RestInput):
    """credentials.yml: `channels.rest.RestInput:` with optional `max_message_chars`.
    What it says to a message it cannot answer is in content/notices.yml."""

    def __init__(self, max_message_chars: int = MAX_MESSAGE_CHARS) -> None:
        self.max_message_chars = int(max_message_chars)
        self.notices = load_notices()

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RestInput:
        return cls(**(credentials or {}))

    def read(self, request: Request) -> tuple[str, str, dict[str, Any] | None, str]:
        """sender, text, metadata and input channel of a request, or BadMessage."""
        try:
            body = request.json
        except InvalidUsage:
            raise BadMessage("the body is not valid JSON (UTF-8)") from None
        if not isinstance(body, dict):
            raise BadMessage('the body must be a JSON object: {"sender": "...", "message": "..."}')
        sender = check_sender(body.get("sender"))
        text = check_text(body.get("message"), self.max_message_chars)
        metadata = check_metadata(body.get("metadata"))
        channel = body.get("input_channel")
        return sender, text, metadata, channel if isinstance(channel, str) else self.name()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> ResponseStream | HTTPResponse:
            try:
                sender_id, text, metadata, input_channel = self.read(request)
            except BadMessage as bad:
                return response.json({"error": bad.reason}, status=bad.status)

            if rasa.utils.endpoints.bool_arg(request, "stream", default=False):
                return response.stream(
                    self.stream_response(on_new_message, text, sender_id, input_channel, metadata),
                    content_type="text/event-stream",
                )
            collector = CollectingOutputChannel()
            failed = False
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        collector,
                        sender_id,
                        input_channel=input_channel,
                        metadata=metadata,
                    )
                )
            except CancelledError:
                failed = True
                logger.error("rest.message.received.timeout", sender_id=sender_id)
            except Exception:
                failed = True
                logger.exception("rest.message.received.failure", sender_id=sender_id)
            if failed and not collector.messages:
                text = self.notices.text("failed", self.max_message_chars)
                collector.messages.append({"recipient_id": sender_id, "text": text})
            return response.json(collector.messages)

        return webhook
