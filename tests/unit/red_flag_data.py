"""The red-flag test data both red-flag test modules read (tests/data/red_flags.yml)."""

from __future__ import annotations

from pathlib import Path

import yaml

from clinic.names import red_flag_categories

ROOT = Path(__file__).resolve().parents[2]
PATTERNS = ROOT / "content" / "red_flags.yml"
TEST_DATA = ROOT / "tests" / "data" / "red_flags.yml"
NLU_DATA = ROOT / "data" / "nlu" / "red_flags.yml"  # and the other files of data/nlu
CATEGORIES = list(red_flag_categories(PATTERNS))

DATA = yaml.safe_load(TEST_DATA.read_text(encoding="utf-8"))
POSITIVES: list[dict[str, str]] = DATA["positives"]
NEGATIVES: list[str] = DATA["negatives"]
