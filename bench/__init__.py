"""Benchmarks of the assistant against the pipeline `rasa init` writes.

`python -m bench` (or `make bench`) trains both configurations on the same domain and
data, starts each with the action server, and measures accuracy on the held-out NLU
file, REST latency and throughput, cold start, training time, model size and memory.
See bench/README.md.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT_DIR = ROOT / "reports" / "bench"
HELDOUT = ROOT / "tests" / "data" / "nlu_heldout.yml"
CATALOG = ROOT / "content" / "catalog.yml"
OURS_CONFIG = ROOT / "config.yml"
BASELINE_CONFIG = Path(__file__).resolve().parent / "baseline" / "config.yml"
VARIANTS = ("ours", "baseline")
