"""Costs outside the conversation: training time, model size, memory, cold start, machine."""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench import ROOT
from ops.environment import BIN, common_env
from ops.stats import status_kb

# ------------------------------------------------------------------ training


def train(config: Path, out_dir: Path, name: str, log: Path) -> dict[str, Any]:
    """`rasa train` from scratch (fresh graph cache, --force): wall and CPU time, model size."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model = out_dir / f"{name}.tar.gz"
    model.unlink(missing_ok=True)
    cache = Path(tempfile.mkdtemp(prefix="bench-rasa-cache-"))
    command = [
        str(BIN / "rasa"), "train",
        "--config", str(config), "--domain", str(ROOT / "domain.yml"), "--data", str(ROOT / "data"),
        "--out", str(out_dir), "--fixed-model-name", name, "--force",
    ]  # fmt: skip
    env = {**common_env(), "RASA_CACHE_DIRECTORY": str(cache)}
    try:
        with log.open("wb") as output:
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            began = time.perf_counter()
            finished = subprocess.run(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )
            seconds = time.perf_counter() - began
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    if finished.returncode != 0 or not model.exists():
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"training {config} failed (exit {finished.returncode}):\n{tail}")
    return {
        "training_s": seconds,
        "training_cpu_s": cpu,
        "model": str(model),
        "model_mb": mb(model.stat().st_size),
    }


def mb(size_bytes: float) -> float:
    return size_bytes / 1024 / 1024


# ------------------------------------------------------------------ memory


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process tree so far (children that ended are not counted)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / ticks


class PeakMemory(threading.Thread):
    """Samples the resident memory of process trees; peak = max(sampled sum, sum of VmHWM)."""

    def __init__(self, interval_s: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.interval_s = interval_s
        self.pids: dict[str, int] = {}
        self.sampled_kb: dict[str, int] = {}
        self.hwm_kb: dict[str, int] = {}
        self._stop_event = threading.Event()
        self._lock = threading.Lock()

    def watch(self, name: str, pid: int) -> None:
        with self._lock:
            self.pids[name] = pid

    def sample(self) -> None:
        with self._lock:
            watched = dict(self.pids)
        for name, pid in watched.items():
            tree = process_tree(pid)
            rss = sum(status_kb(p, "VmRSS") for p in tree)
            hwm = sum(status_kb(p, "VmHWM") for p in tree)
            self.sampled_kb[name] = max(self.sampled_kb.get(name, 0), rss)
            self.hwm_kb[name] = max(self.hwm_kb.get(name, 0), hwm)

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval_s)

    def stop(self) -> dict[str, float]:
        """Stop sampling (call before the processes end); peak MB per watched name."""
        self.sample()
        self._stop_event.set()
        self.join(timeout=5)
        return {
            name: mb(max(self.sampled_kb.get(name, 0), self.hwm_kb.get(name, 0)) * 1024)
            for name in self.pids
        }


# ------------------------------------------------------------------ cold start


class FirstAnswer(threading.Thread):
    """Posts one message to the REST channel until it is answered; records when."""

    def __init__(self, url: str, message: str = "hello", interval_s: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.message = message
        self.interval_s = interval_s
        self.answered_at: float | None = None
        self.reply: Any = None
        self._stop_event = threading.Event()

    def run(self) -> None:
        body = json.dumps({"sender": "bench-cold-start", "message": self.message}).encode()
        while not self._stop_event.is_set():
            request = urllib.request.Request(
                f"{self.url}/webhooks/rest/webhook",
                data=body,
                headers={"Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    reply = json.loads(response.read())
                if isinstance(reply, list) and reply:
                    self.answered_at = time.perf_counter()
                    self.reply = reply
                    return
            except (OSError, ValueError):
                pass
            self._stop_event.wait(self.interval_s)

    def stop(self) -> None:
        self._stop_event.set()


# ------------------------------------------------------------------ machine


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_kb = int(line.split()[1])
    except OSError:
        pass
    try:
        from importlib.metadata import version

        rasa_version = version("rasa")
    except Exception:
        rasa_version = "unknown"
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "ram_gb": round(ram_kb / 1024 / 1024, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "rasa": rasa_version,
        "os": platform.platform(),
    }
