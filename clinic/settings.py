"""The clinic's settings (`content/clinic.yml`): name, phone, hours, emergency numbers.

One reader with one error policy: a missing, unreadable or incomplete file raises
`SettingsError` with one clear line, and start-up stops. Set `CLINIC_CONTENT_DIR`
to read another content folder (every part of the assistant follows it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from clinic.strict_yaml import load_strict

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
SETTINGS_FILE = "clinic.yml"
REQUIRED_KEYS = (
    "name",
    "phone",
    "hours",
    "booking_link",
    "email",
    "emergency_number",
    "crisis_line",
)


class SettingsError(ValueError):
    """The clinic's settings file is missing, not YAML, or lacks a required value."""


def content_dir() -> Path:
    """The content folder: `CLINIC_CONTENT_DIR` if set, else the repository's `content/`."""
    return Path(os.environ.get("CLINIC_CONTENT_DIR") or CONTENT_DIR)


@dataclass(frozen=True)
class ClinicSettings:
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values[key]

    @property
    def emergency_number(self) -> str:
        return self.values["emergency_number"]

    @property
    def crisis_line(self) -> str:
        return self.values["crisis_line"]

    @property
    def phone(self) -> str:
        return self.values["phone"]


def settings_path(directory: Path | None = None) -> Path:
    return (directory or content_dir()) / SETTINGS_FILE


def load_settings(path: str | Path | None = None) -> ClinicSettings:
    """Read and check the settings file (default: `clinic.yml` of the content folder)."""
    path = Path(path) if path else settings_path()
    try:
        raw = load_strict(path)
    except OSError as error:
        raise SettingsError(f"cannot read the clinic settings {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise SettingsError(f"the clinic settings {path} are not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise SettingsError(f"the clinic settings {path} must be 'key: value' lines")
    missing = [key for key in REQUIRED_KEYS if not str(raw.get(key) or "").strip()]
    if missing:
        raise SettingsError(f"the clinic settings {path} lack: {', '.join(missing)}")
    return ClinicSettings({str(key): str(value) for key, value in raw.items()})
