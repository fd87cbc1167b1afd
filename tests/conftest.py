"""Shared fixtures: the catalog, tracker states, one trained model and its servers."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker

from clinic.catalog import Catalog, load_catalog
from ops.environment import BIN, common_env

ROOT = Path(__file__).resolve().parent.parent
TRACKERS = ROOT / "tests" / "data" / "trackers"
MODEL = ROOT / "models" / "clinic-assistant.tar.gz"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


def tracker_from_state(state: dict[str, Any]) -> Tracker:
    return Tracker(
        sender_id=state.get("sender_id", "test-patient"),
        slots=state.get("slots", {}),
        latest_message=state.get("latest_message", {}),
        events=state.get("events", []),
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=state.get("latest_action_name", "action_listen"),
    )


@pytest.fixture
def tracker_state() -> Any:
    """Load a tracker state from tests/data/trackers/<name>.json, with overrides."""

    def load(name: str, **overrides: Any) -> Tracker:
        state = json.loads((TRACKERS / f"{name}.json").read_text())
        state.update(overrides)
        return tracker_from_state(state)

    return load


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model `make train` built; trained here if pytest runs on its own."""
    if not MODEL.exists():
        subprocess.run(
            [str(BIN / "rasa"), "train", "--fixed-model-name", MODEL.stem.removesuffix(".tar")],
            cwd=ROOT,
            env=common_env(),
            check=True,
        )
    return MODEL


@pytest.fixture(scope="session")
def nlu(trained_model: Path) -> Any:
    """Parse a message with the trained model, in this process."""
    from bench.predict import model_parser

    return model_parser(trained_model)


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("run")
