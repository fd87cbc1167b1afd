"""Trained benchmark models kept by the fingerprint of what they were trained from.

Training the baseline (`rasa init`'s pipeline, DIET) takes about ten minutes here; a
bench run reuses a model whose fingerprint matches: the config, the domain, every
training-data file, the content files the components read, our components' source and
Rasa's version. Anything changed, or `--retrain`, trains afresh.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bench import ROOT

INPUTS = ("domain.yml", "data", "content", "components")


def _files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
            )
        elif path.is_file():
            found.append(path)
    return found


def fingerprint(config: Path, root: Path = ROOT) -> str:
    import rasa

    digest = hashlib.sha256(f"rasa {rasa.__version__}\n".encode())
    for path in _files([config, *(root / name for name in INPUTS)]):
        digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_train(
    config: Path,
    models_dir: Path,
    name: str,
    train: Callable[[], dict[str, Any]],
    retrain: bool = False,
    root: Path = ROOT,
) -> dict[str, Any]:
    """The training record of `models_dir/name.tar.gz`: reused when its fingerprint matches."""
    model = models_dir / f"{name}.tar.gz"
    record_file = models_dir / f"{name}.training.json"
    current = fingerprint(config, root)
    if not retrain and model.exists() and record_file.exists():
        record = json.loads(record_file.read_text())
        if record.get("fingerprint") == current:
            return {**record, "training_reused": True}
    record = {**train(), "fingerprint": current}
    models_dir.mkdir(parents=True, exist_ok=True)
    record_file.write_text(json.dumps(record, indent=1))
    return {**record, "training_reused": False}
