"""The answer catalog (`content/catalog.yml`) with the clinic's settings, read once.

Every answer a patient reads comes from here: its text, citations and follow-ups, with
the placeholders (`{phone}`, `{clinic_name}`, ...) filled from `content/clinic.yml`.
A broken catalog or settings file raises `CatalogError` / `SettingsError`: start-up
stops with one line. `CLINIC_CONTENT_DIR` selects another content folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from clinic.placeholders import PLACEHOLDER, fill
from clinic.settings import content_dir, load_settings, settings_path
from clinic.strict_yaml import load_strict

CATALOG_FILE = "catalog.yml"
__all__ = ["PLACEHOLDER", "Answer", "Catalog", "CatalogError", "Source", "load_catalog"]


@dataclass(frozen=True)
class Source:
    """Where an answer comes from: a section of the clinic's material or an organisation."""

    section: str | None = None
    quote: str | None = None
    organisation: str | None = None
    page: str | None = None
    url: str | None = None
    note: str | None = None

    @property
    def label(self) -> str:
        if self.section:
            return self.section
        return f"{self.organisation}, {self.page}"


@dataclass(frozen=True)
class Answer:
    id: str
    text: str
    kind: str
    intent: str | None = None
    button: str | None = None
    sources: tuple[Source, ...] = ()
    follow_ups: tuple[str, ...] = ()
    reviewed: str | None = None
    reviewed_by: str | None = None
    response: str | None = None
    variants: dict[str, Answer] = field(default_factory=dict)
    entity: str | None = None
    feedback: bool = False
    choices: dict[str, str] = field(default_factory=dict)

    @property
    def asks_feedback(self) -> bool:
        """'Was this helpful?' follows: therapy and safety answers (not the emergency reply,
        a domain response), and those marked `feedback: true`."""
        if self.response is not None:
            return False
        return self.kind in ("therapy", "safety") or self.feedback


class CatalogError(ValueError):
    """The content files are not in the expected shape."""


def _parse_answer(answer_id: str, raw: dict[str, Any], parent: Answer | None = None) -> Answer:
    if "text" not in raw:
        raise CatalogError(f"catalog entry {answer_id!r} has no text")
    sources = tuple(Source(**source) for source in raw.get("sources") or ())
    answer = Answer(
        id=answer_id,
        text=str(raw["text"]).strip(),
        kind=raw.get("kind", parent.kind if parent else "service"),
        intent=raw.get("intent"),
        button=raw.get("button"),
        sources=sources,
        follow_ups=tuple(raw.get("follow_ups") or (parent.follow_ups if parent else ())),
        reviewed=str(raw["reviewed"]) if raw.get("reviewed") else None,
        reviewed_by=str(raw["reviewed_by"]) if raw.get("reviewed_by") else None,
        response=raw.get("response"),
        entity=raw.get("entity"),
        feedback=bool(raw.get("feedback", parent.feedback if parent else False)),
        choices={str(k): str(v) for k, v in (raw.get("choices") or {}).items()},
    )
    for name, variant in (raw.get("variants") or {}).items():
        answer.variants[name] = _parse_answer(name, variant, answer)
    return answer


@dataclass(frozen=True)
class Catalog:
    answers: dict[str, Answer]
    settings: dict[str, str]

    @classmethod
    def from_directory(cls, directory: Path) -> Catalog:
        path = directory / CATALOG_FILE
        try:
            raw = load_strict(path)
        except (OSError, yaml.YAMLError) as error:
            raise CatalogError(f"cannot read the answer catalog {path}: {error}") from error
        settings = load_settings(settings_path(directory)).values
        if not isinstance(raw, dict) or not isinstance(raw.get("answers"), dict):
            raise CatalogError(f"{path} must have an `answers:` mapping")
        answers = {key: _parse_answer(key, value) for key, value in raw["answers"].items()}
        for answer in answers.values():
            unknown = [f for f in answer.follow_ups if f not in answers]
            if unknown:
                raise CatalogError(f"{answer.id}: unknown follow-ups {unknown}")
        return cls(answers, {key: str(value) for key, value in settings.items()})

    def __getitem__(self, answer_id: str) -> Answer:
        return self.answers[answer_id]

    def for_intent(self, intent: str) -> Answer | None:
        return next((a for a in self.answers.values() if a.intent == intent), None)

    def fill(self, text: str) -> str:
        """Replace {phone}, {clinic_name}, ... with the clinic's settings."""
        return fill(text, {**self.settings, "clinic_name": self.settings["name"]})


@cache
def load_catalog(directory: str | None = None) -> Catalog:
    """The catalog of `directory` (default: the content folder), read once per process."""
    return Catalog.from_directory(Path(directory) if directory else content_dir())
