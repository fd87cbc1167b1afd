"""Rasa's own markers (`markers.yml`), evaluated with `rasa evaluate markers`.

The same conversations read by Rasa's standard tool: how many sessions reached the
fallback, asked for a person, got the emergency reply, or gave an answer a 👎.
"""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

from ops.environment import BIN, ROOT, common_env

MARKERS_FILE = ROOT / "markers.yml"


def evaluate(endpoints: Path, out_dir: Path) -> dict[str, dict[str, str]]:
    """{marker: {"sessions": N, "share": "12.5 %"}} from Rasa's overall statistics."""
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        str(BIN / "rasa"), "evaluate", "markers", "all",
        "--config", str(MARKERS_FILE), "--endpoints", str(endpoints),
        "--domain", str(ROOT / "domain.yml"),
        "--stats-file-prefix", str(out_dir / "markers-stats"), str(out_dir / "markers.csv"),
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=ROOT, env=common_env(), capture_output=True, text=True, timeout=600
    )
    overall = out_dir / "markers-stats-overall.csv"
    if done.returncode != 0 or not overall.exists():
        tail = (done.stderr or done.stdout)[-400:]
        raise RuntimeError(f"rasa evaluate markers failed (exit {done.returncode}): {tail}")
    return read_overall(overall)


def read_overall(path: Path) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name, statistic = row.get("marker", ""), row.get("statistic", "")
            if name == "-":
                continue
            statistic = statistic.replace("_", " ")
            if statistic.startswith("number of sessions where marker applied"):
                found.setdefault(name, {})["sessions"] = row.get("value", "")
            elif statistic.startswith("percentage of sessions where marker applied"):
                found.setdefault(name, {})["share"] = f"{float(row.get('value') or 0):.1f} %"
    return found
