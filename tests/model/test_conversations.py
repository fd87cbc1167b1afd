"""Rasa's own checks, run as users of Rasa run them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ops.environment import BIN, ROOT, common_env


def rasa(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "rasa"), *args], cwd=cwd, env=common_env(), capture_output=True, text=True
    )


def test_training_data_validates_without_warnings():
    result = rasa("data", "validate", "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_conversations_follow_the_rules(trained_model: Path, tmp_path: Path):
    result = rasa(
        "test",
        "core",
        "--model",
        str(trained_model),
        "--stories",
        "tests/model/conversations",
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Failed stories" not in (tmp_path / "failed_test_stories.yml").read_text()
