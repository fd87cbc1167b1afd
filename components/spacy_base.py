"""The blank English spaCy pipeline every component builds on.

No trained spaCy model can be downloaded here, so the base is `spacy.blank("en")`
(rule-based tokenizer) plus the lookup lemmatizer, whose tables come from the
`spacy-lookups-data` package.
"""

from __future__ import annotations

import sys
from pathlib import Path

import spacy
from spacy.language import Language


def blank_english() -> Language:
    """Return a blank English pipeline with lookup lemmas."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def build(target: Path) -> None:
    """Write the base pipeline to `target`, where Rasa's `SpacyNLP` loads it."""
    nlp = blank_english()
    nlp.meta["name"] = "clinic_base"
    nlp.meta["description"] = "Blank English tokenizer with lookup lemmas, built locally."
    target.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "build/spacy-en"))
