"""`python -m clinic.check` (run by `make validate` and `make run`): is the content sound?

- the catalog and the clinic settings load;
- every quote of an answer is found, word for word, in its section of the clinic's
  material (`content/source/`);
- which answers a clinician has not yet reviewed, or must review again.
Exits 1 on a broken file or a citation that is not in the material; the review lists
are information, not an error.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from clinic.catalog import Answer, Catalog, CatalogError, load_catalog
from clinic.review import ReviewError, review_status
from clinic.settings import SettingsError, content_dir
from clinic.source import sections

SOURCE_FILE = Path("source") / "stem-cell-therapy-for-back-pain.txt"


def entries(catalog: Catalog) -> list[Answer]:
    """Every answer and every variant."""
    found = []
    for answer in catalog.answers.values():
        found.append(answer)
        found.extend(answer.variants.values())
    return found


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def citation_problems(catalog: Catalog, source: Path) -> list[str]:
    """One line per quote that is not in its section (or whose section is unknown)."""
    text_of = {heading: _normalise(text) for heading, text in sections(source).items()}
    problems = []
    for entry in entries(catalog):
        for cited in entry.sources:
            if cited.section is None:
                continue
            if cited.section not in text_of:
                problems.append(f"{entry.id}: no section {cited.section!r} in {source.name}")
            elif _normalise(cited.quote or "") not in text_of[cited.section]:
                problems.append(f"{entry.id}: its quote is not in the section {cited.section!r}")
    return problems


def main() -> int:
    try:
        catalog = load_catalog()
        problems = citation_problems(catalog, content_dir() / SOURCE_FILE)
        status = review_status(catalog)
    except (CatalogError, SettingsError, ReviewError, OSError) as error:
        print(f"error: {error}")
        return 1
    for problem in problems:
        print(f"error: citation: {problem}")
    for line in status.lines():
        print(f"review: {line}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
