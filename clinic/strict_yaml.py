"""YAML for files staff edit: a key written twice is an error, not a silent overwrite.

PyYAML keeps the last of two equal keys in a mapping, so a second `words:` line under
a concept quietly drops the first list. Content files are read with `load_strict`.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import yaml


class DuplicateKeyError(yaml.YAMLError, ValueError):
    """A mapping in a content file has the same key twice."""


class _StrictLoader(yaml.SafeLoader):
    pass


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            first_line = seen.get(key)
        except TypeError:  # an unhashable key: let PyYAML report it
            continue
        line = key_node.start_mark.line + 1
        if first_line is not None:
            raise DuplicateKeyError(
                f"{key_node.start_mark.name}, line {line}: '{key}' is written twice in one "
                f"mapping (first on line {first_line}); merge the two entries"
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def load_strict(source: Path | str | IO[str]) -> Any:
    """`yaml.safe_load` of a file (a path) or a stream, but a key repeated in one mapping
    raises `DuplicateKeyError` naming the file and the line."""
    if isinstance(source, (str, Path)):
        with open(source, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_StrictLoader)
    return yaml.load(source, Loader=_StrictLoader)
