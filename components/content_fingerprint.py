"""Fingerprints of the content files a component reads at training time.

Rasa retrains a component only when its fingerprint changes; the files under
`content/` are outside Rasa's view, so components add their hash themselves
(`GraphComponent.fingerprint_addon`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def files_fingerprint(*paths: str | Path) -> str:
    digest = hashlib.sha256()
    for path in map(Path, paths):
        digest.update(str(path).encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()
