"""What the chat channels say when a message cannot be answered (`content/notices.yml`).

Read once at start-up with the clinic's settings; a missing notice or a broken
settings file stops the start with one line, never a patient's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from clinic.placeholders import fill
from clinic.settings import content_dir, load_settings
from clinic.strict_yaml import load_strict

NOTICES_FILE = "notices.yml"
NOTICE_NAMES = ("unreadable", "too_long", "no_session", "failed")


class NoticesError(ValueError):
    """The notices file is missing, broken or lacks a notice."""


@dataclass(frozen=True)
class Notices:
    texts: dict[str, str]
    settings: dict[str, str]

    def text(self, name: str, limit: int) -> str:
        """A notice with {limit} and the clinic's settings ({phone}, ...) filled in."""
        values = {**self.settings, "clinic_name": self.settings["name"], "limit": str(limit)}
        return fill(self.texts[name], values)


def load_notices(directory: Path | None = None) -> Notices:
    directory = directory or content_dir()
    path = directory / NOTICES_FILE
    try:
        raw = load_strict(path) or {}
    except (OSError, yaml.YAMLError) as error:
        raise NoticesError(f"cannot read the chat notices {path}: {error}") from error
    missing = [name for name in NOTICE_NAMES if not raw.get(name)]
    if missing:
        raise NoticesError(f"{path} lacks the notices: {', '.join(missing)}")
    settings = load_settings(directory / "clinic.yml").values
    return Notices({name: str(raw[name]).strip() for name in NOTICE_NAMES}, settings)
