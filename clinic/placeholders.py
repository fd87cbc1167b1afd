"""The one placeholder syntax of every text in `content/` and of the web page: `{name}`.

`{phone}`, `{clinic_name}`, `{emergency_number}`, ... are the clinic's settings
(`content/clinic.yml`); a text may have placeholders of its own ({limit}). An unknown
placeholder is left as written, so a typo shows instead of vanishing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def fill(text: str, values: Mapping[str, str], escape: Callable[[str], str] | None = None) -> str:
    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1))
        if found is None:
            return match.group(0)
        return escape(found) if escape else found

    return PLACEHOLDER.sub(value, text)


def names(text: str) -> set[str]:
    """The placeholders a text uses."""
    return set(PLACEHOLDER.findall(text))
