"""The report's two plots, drawn with matplotlib's object API and embedded as PNG."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure


def png(figure: Figure) -> str:
    """A data: URI of the figure (the page loads nothing from elsewhere)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def per_day(rows: Sequence[dict[str, Any]]) -> str:
    figure = Figure(figsize=(7.5, 2.8))
    axes = figure.subplots()
    days = [row["day"][5:] for row in rows]
    axes.bar(days, [row["messages"] for row in rows], color="#9ec5e8", label="patient messages")
    axes.plot(days, [row["conversations"] for row in rows], color="#1f5f99", marker="o",
              label="conversations")  # fmt: skip
    axes.set_ylabel("per day")
    axes.legend(loc="upper left", frameon=False)
    axes.tick_params(axis="x", labelrotation=45, labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    return png(figure)


def answers(counts: Sequence[tuple[str, int]]) -> str:
    figure = Figure(figsize=(7.5, max(2.0, 0.28 * len(counts) + 0.8)))
    axes = figure.subplots()
    labels = [answer_id for answer_id, _ in reversed(counts)]
    axes.barh(labels, [n for _, n in reversed(counts)], color="#1f5f99")
    axes.set_xlabel("answers given")
    axes.tick_params(axis="y", labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    return png(figure)
