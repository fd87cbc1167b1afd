"""The lexicon (`content/lexicon.yml`): medical terms as entities, and concepts.

Entity types (condition, body_region, tissue, imaging) map canonical values to the
phrases patients use; `concepts` map one idea (cost, efficacy, injection, ...) to
its many words, for the intent classifier.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clinic.settings import content_dir
from clinic.strict_yaml import load_strict

LEXICON_FILE = "lexicon.yml"
CONCEPTS_KEY = "concepts"

Lexicon = dict[str, dict[str, list[str]]]


def lexicon_path(directory: Path | None = None) -> Path:
    return (directory or content_dir()) / LEXICON_FILE


def _read(path: Path) -> dict[str, Any]:
    data = load_strict(path)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected entity types and `concepts` at the top level")
    for name, values in data.items():
        if not isinstance(values, dict) or not all(
            isinstance(phrases, list) for phrases in values.values()
        ):
            raise ValueError(f"{path}: `{name}` must map names to lists of phrases")
    return data


def read_entities(path: str | Path | None = None) -> Lexicon:
    """Entity type -> canonical value -> phrases."""
    data = _read(Path(path) if path else lexicon_path())
    return {name: values for name, values in data.items() if name != CONCEPTS_KEY}


def read_concepts(path: str | Path | None = None) -> dict[str, list[str]]:
    """Concept -> phrases."""
    return _read(Path(path) if path else lexicon_path()).get(CONCEPTS_KEY) or {}
