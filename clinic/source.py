"""The clinic's material (`content/source/`) split into its sections, to check citations."""

from __future__ import annotations

from pathlib import Path

INTRODUCTION = "Introduction"


def _is_heading(line: str) -> bool:
    return bool(line) and not line.rstrip().endswith((".", "!", "?", ":")) and len(line) < 120


def sections(path: Path) -> dict[str, str]:
    """Heading -> text under it; the untitled opening paragraph is "Introduction"."""
    result: dict[str, list[str]] = {INTRODUCTION: []}
    current = INTRODUCTION
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if _is_heading(line):
            current = line
            result.setdefault(current, [])
        else:
            result[current].append(line)
    return {heading: " ".join(lines) for heading, lines in result.items()}
