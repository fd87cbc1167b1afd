"""The systemd units in deploy/systemd: valid, restarted on failure, running our commands."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
INSTALLED_AT = "/srv/clinic-assistant"
SERVERS = ["clinic-assistant-actions.service", "clinic-assistant-rasa.service"]


def settings(unit: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unit.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith(("#", ";", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


@pytest.mark.parametrize("name", SERVERS)
def test_a_server_unit_restarts_on_failure_as_the_clinics_user(name: str):
    unit = settings(UNITS / name)
    assert unit["Restart"] == ["on-failure"]
    assert unit["User"] == ["clinic"] and unit["WorkingDirectory"] == [INSTALLED_AT]
    assert unit["ReadWritePaths"] == [f"{INSTALLED_AT}/var"]  # conversations, spool
    (command,) = unit["ExecStart"]
    program, *args = command.split()
    assert program == f"{INSTALLED_AT}/.venv/bin/python"
    assert args == ["-m", "ops.serve", name.split("-")[-1].removesuffix(".service")]


@pytest.mark.parametrize("mode", ["actions", "rasa"])
def test_the_units_commands_are_what_ops_serve_accepts(mode: str):
    from ops import serve

    assert mode in serve.commands()


def test_ops_serve_refuses_an_unknown_part_with_its_usage():
    run = subprocess.run(
        [sys.executable, "-m", "ops.serve", "everything"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode != 0
    assert run.stderr.strip().splitlines()[-1] == "usage: python -m ops.serve [actions | rasa]"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_accepts_every_unit_installed_here(tmp_path: Path):
    user = pwd.getpwuid(os.geteuid()).pw_name
    for unit in UNITS.glob("clinic-assistant-*"):
        text = unit.read_text(encoding="utf-8").replace(INSTALLED_AT, str(ROOT))
        text = text.replace("User=clinic", f"User={user}").replace("Group=clinic", "")
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    verify = subprocess.run(
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stderr
