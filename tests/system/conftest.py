"""The servers most system-test modules share: one action server and one Rasa server per
module, on free loopback ports (a module that needs other servers defines its own)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ops.processes import Assistant


@pytest.fixture(scope="module")
def assistant(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    running = Assistant(trained_model, tmp_path_factory.mktemp("servers")).start()
    yield running
    running.stop()
