"""Content files staff edit: a key written twice fails loudly instead of dropping a list."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from clinic.catalog import CatalogError, load_catalog
from clinic.strict_yaml import DuplicateKeyError, load_strict
from components.nlu.red_flags.patterns import load_patterns_file

ROOT = Path(__file__).resolve().parents[2]
TWICE = "concepts:\n  bladder:\n    words: [bladder, pee]\n    words: [stream]\n"


def test_a_key_written_twice_names_the_file_and_both_lines(tmp_path: Path):
    path = tmp_path / "red_flags.yml"
    path.write_text(TWICE, encoding="utf-8")
    with pytest.raises(DuplicateKeyError) as raised:
        load_strict(path)
    message = str(raised.value)
    assert "red_flags.yml" in message and "line 4" in message and "line 3" in message
    assert "'words'" in message
    with pytest.raises(DuplicateKeyError):
        load_patterns_file(path)


def test_keys_once_and_anchors_still_load():
    data = load_strict(io.StringIO("a: &A [1, 2]\nb: *A\nc: {<<: {x: 1}, y: 2}\n"))
    assert data == {"a": [1, 2], "b": [1, 2], "c": {"x": 1, "y": 2}}


def test_the_catalog_reports_a_duplicate_as_a_catalog_error(tmp_path: Path):
    text = (ROOT / "content" / "catalog.yml").read_text(encoding="utf-8")
    (tmp_path / "catalog.yml").write_text(text + "\nanswers: {}\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="written twice"):
        load_catalog(str(tmp_path))


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "content").glob("*.yml")) + sorted((ROOT / "data").rglob("*.yml")),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_every_shipped_content_and_training_file_has_each_key_once(path: Path):
    load_strict(path)
