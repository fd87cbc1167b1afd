"""What a message must look like before it reaches the assistant (shared by both channels)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

SURROGATE = re.compile("[\ud800-\udfff]")

# Longer messages are refused before NLU: its cost grows with the square of the
# length (about 1 s for 5,000 characters on two cores, 20 s and 3 GB for 40,000),
# and the server answers nobody else meanwhile.
MAX_MESSAGE_CHARS = 5000
# The tracker store's `sender_id` column is 255 characters long.
MAX_SENDER_CHARS = 255
# The clinic's phone and emergency number for the notices (relative to where Rasa runs).
CLINIC_FILE = "content/clinic.yml"

# What the channels say when a message cannot be answered (patient-facing text).
NOTICES_FILE = Path(__file__).resolve().parent.parent / "content" / "notices.yml"
NOTICE_NAMES = ("unreadable", "too_long", "no_session", "failed")


def load_notices(path: str | Path = NOTICES_FILE) -> dict[str, str]:
    """The notices of `content/notices.yml`; a missing one stops the start, not a patient."""
    notices = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    missing = [name for name in NOTICE_NAMES if not notices.get(name)]
    if missing:
        raise ValueError(f"{path} lacks the notices: {', '.join(missing)}")
    return {name: str(notices[name]).strip() for name in NOTICE_NAMES}


NOTICES = load_notices()


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


def clinic_settings(clinic_file: str | Path) -> dict[str, str]:
    """The clinic's settings (content/clinic.yml) for the notices, with generic
    phrases where the file or a value is missing."""
    settings = {"phone": "its usual number", "emergency_number": "your emergency number"}
    try:
        loaded = yaml.safe_load(Path(clinic_file).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        loaded = None
    if isinstance(loaded, dict):
        settings.update({key: str(value) for key, value in loaded.items() if value})
    return settings


def notice_text(notices: dict[str, str], name: str, limit: int, settings: dict[str, str]) -> str:
    """A notice with {limit} and the clinic's settings ({phone}, ...) filled in."""
    values = defaultdict(str, {**settings, "limit": str(limit)})
    return notices[name].format_map(values)
