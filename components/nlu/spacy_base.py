"""The blank English spaCy pipeline every component builds on.

No trained spaCy model can be downloaded here, so the base is `spacy.blank("en")`
(rule-based tokenizer) plus the lookup lemmatizer, whose tables come from the
`spacy-lookups-data` package.
"""

from __future__ import annotations

import spacy
from spacy.language import Language


def blank_english() -> Language:
    """Return a blank English pipeline with lookup lemmas."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp
