"""What a message must look like before it reaches the assistant (shared by both channels)."""

from __future__ import annotations

import re
from typing import Any

SURROGATE = re.compile("[\ud800-\udfff]")

# Longer messages are refused before NLU: its cost grows with the square of the
# length (about 1 s for 5,000 characters on two cores, 20 s and 3 GB for 40,000),
# and the server answers nobody else meanwhile.
MAX_MESSAGE_CHARS = 5000
# The tracker store's `sender_id` column is 255 characters long.
MAX_SENDER_CHARS = 255


class BadMessage(ValueError):
    """A message that cannot be processed; `status` is the HTTP status for it."""

    def __init__(self, reason: str, notice: str = "unreadable", status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.notice = notice
        self.status = status


def clean_text(text: str) -> str:
    """Lone UTF-16 surrogates (valid in JSON, not in UTF-8: spaCy fails on them) become U+FFFD."""
    return SURROGATE.sub("\ufffd", text)


def check_text(text: Any, limit: int) -> str:
    if not isinstance(text, str):
        raise BadMessage(f"'message' must be a string, not {_type(text)}")
    if len(text) > limit:
        raise BadMessage(
            f"'message' is too long: {len(text)} characters, the limit is {limit}",
            notice="too_long",
            status=413,
        )
    return clean_text(text)


def check_sender(sender: Any, field: str = "sender") -> str:
    if isinstance(sender, int) and not isinstance(sender, bool):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip():
        raise BadMessage(f"'{field}' must be a non-empty string, not {_type(sender)}")
    if len(sender) > MAX_SENDER_CHARS:
        raise BadMessage(f"'{field}' is longer than {MAX_SENDER_CHARS} characters")
    return clean_text(sender)


def check_metadata(metadata: Any) -> dict[str, Any] | None:
    if metadata is None or isinstance(metadata, dict):
        return metadata
    raise BadMessage(f"'metadata' must be an object, not {_type(metadata)}")


def _type(value: Any) -> str:
    return "missing" if value is None else type(value).__name__
