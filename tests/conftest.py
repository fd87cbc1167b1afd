"""Shared fixtures: the catalog, tracker states, one trained model and its servers."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker

from actions.catalog import Catalog, load_catalog

ROOT = Path(__file__).resolve().parent.parent
TRACKERS = ROOT / "tests" / "data" / "trackers"
MODEL = ROOT / "models" / "clinic-assistant.tar.gz"
BIN = Path(sys.executable).parent


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


def rasa_env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model `make train` built; trained here if pytest runs on its own."""
    if not MODEL.exists():
        subprocess.run(
            [str(BIN / "rasa"), "train", "--fixed-model-name", MODEL.stem.removesuffix(".tar")],
            cwd=ROOT,
            env=rasa_env(),
            check=True,
        )
    return MODEL


@pytest.fixture(scope="session")
def nlu(trained_model: Path) -> Any:
    """Parse a message with the trained model, in this process."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agent = Agent.load(str(trained_model))
    loop = asyncio.new_event_loop()

    def parse(text: str) -> dict[str, Any]:
        return loop.run_until_complete(agent.parse_message(text))

    yield parse
    loop.close()


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("run")
