"""The red-flag patterns file (`content/red_flags.yml`): loading, checking, rules.

A rule belongs to a category and has spaCy Matcher `patterns` and/or plain `phrases`,
plus options (`requires`, `not_with`, `allow_past`, ...); see the file's header.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clinic.strict_yaml import load_strict

GAP = {"IS_PUNCT": False, "OP": "?"}
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "´": "'", "`": "'", "ʼ": "'"})


def load_patterns_file(path: str | Path) -> dict[str, Any]:
    """Read a patterns YAML file (anchors and aliases allowed; a key twice is an error)."""
    data = load_strict(path)
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a YAML mapping")
    return data


@dataclass(frozen=True)
class Rule:
    key: str
    category: str
    priority: int
    requires: tuple[str, ...] = ()
    not_followed_by: tuple[tuple[str, ...], ...] = ()
    not_preceded_by: tuple[tuple[str, ...], ...] = ()
    not_with: tuple[tuple[str, ...], ...] = ()
    allow_past: bool = False
    longstanding_is_current: bool = False  # "for years" does not make it old
    in_questions: bool = False
    possible_only: bool = False  # a report counts only as a possible red flag
    possible_with: tuple[tuple[str, ...], ...] = ()  # ... when one of these is in the sentence


@dataclass(frozen=True)
class Span:
    rule: Rule
    start: int  # token index
    end: int  # token index (exclusive)
    inner_end: int | None = None  # a combination: where its first concept ends


def normalise(text: str) -> str:
    """Lower-case and straighten apostrophes without changing any offset."""
    text = text.translate(APOSTROPHES)
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def flatten(pattern: Sequence[Any]) -> list[dict]:
    """Splice nested lists (YAML aliases of token sequences) into one token pattern."""
    tokens: list[dict] = []
    for item in pattern:
        if isinstance(item, list):
            tokens.extend(flatten(item))
        elif isinstance(item, dict):
            tokens.append(item)
        else:
            raise ValueError(f"token pattern items must be mappings, got {item!r}")
    return tokens


def check_pattern(pattern: list[dict], key: str) -> None:
    """Catch YAML surprises early: unquoted no/yes/on/off become booleans."""
    for token in pattern:
        for attr, value in token.items():
            values = value.get("IN", []) if isinstance(value, dict) else [value]
            if attr in ("LOWER", "LEMMA") and not all(isinstance(v, str) for v in values):
                raise ValueError(
                    f'{key}: non-text value in {token!r} (quote words like "no", "on")'
                )


def pattern_words(patterns: Iterable[list[dict]]) -> set[str]:
    words: set[str] = set()
    for pattern in patterns:
        for token in pattern:
            for attr in ("LOWER", "LEMMA"):
                value = token.get(attr)
                values = value.get("IN", []) if isinstance(value, dict) else [value]
                words.update(v for v in values if isinstance(v, str) and v.isalpha())
    return words


def find_phrase(words: list[str], phrase: tuple[str, ...], start: int, end: int) -> int:
    size = len(phrase)
    for i in range(start, end - size + 1):
        if tuple(words[i : i + size]) == phrase:
            return i
    return -1


def starts_with_any(words: list[str], i: int, phrases: Iterable[tuple[str, ...]]) -> bool:
    return any(tuple(words[i : i + len(p)]) == p for p in phrases)


def ends_with_any(words: list[str], i: int, phrases: Iterable[tuple[str, ...]]) -> bool:
    return any(i - len(p) >= 0 and tuple(words[i - len(p) : i]) == p for p in phrases)
