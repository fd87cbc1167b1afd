"""Patients' turns, rebuilt from the `events` table of Rasa's SQL tracker store.

A turn is one patient message and what followed it until the next: the intent, the
answer id and variant (the slots every reply sets), a red flag or safety notice,
feedback given, and the time to the first reply. Conversations typed in the staff
shell (`input_channel: cmdline`, as `rasa shell` and `make shell` send them) are left
out. Sender ids are replaced by a short hash: the report never shows them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

STAFF_CHANNELS = {"cmdline"}
TRACKED_SLOTS = {
    "answer_id", "answer_variant", "red_flag", "safety_notice", "feedback", "feedback_comment",
}  # fmt: skip


@dataclass
class Turn:
    conversation: str  # hashed sender id
    timestamp: float
    text: str
    intent: str | None
    slots: dict[str, Any] = field(default_factory=dict)
    reply_after_s: float | None = None
    channel: str | None = None

    @property
    def answer(self) -> str | None:
        return self.slots.get("answer_id")

    @property
    def variant(self) -> str | None:
        return self.slots.get("answer_variant")


def conversation_id(sender: str) -> str:
    return hashlib.sha256(sender.encode()).hexdigest()[:10]


def rows_to_turns(rows: Iterable[Any]) -> list[Turn]:
    """`rows`: (sender_id, type_name, timestamp, action_name, data) ordered by id."""
    turns: list[Turn] = []
    current: dict[str, Turn] = {}
    staff: set[str] = set()
    for sender, kind, timestamp, name, data in rows:
        event = json.loads(data) if isinstance(data, str) else (data or {})
        if kind == "user":
            channel = event.get("input_channel")
            if channel in STAFF_CHANNELS:
                staff.add(sender)
            parse = event.get("parse_data") or {}
            turn = Turn(
                conversation_id(sender),
                float(timestamp),
                str(event.get("text") or ""),
                (parse.get("intent") or {}).get("name"),
                channel=channel,
            )
            current[sender] = turn
            turns.append(turn)
            turn.slots["_sender"] = sender
        elif sender in current:
            turn = current[sender]
            if kind == "slot" and name in TRACKED_SLOTS:
                turn.slots[name] = event.get("value")
            elif kind == "bot" and turn.reply_after_s is None:
                turn.reply_after_s = max(0.0, float(timestamp) - turn.timestamp)
    kept = [t for t in turns if t.slots.get("_sender") not in staff]
    for turn in kept:
        turn.slots.pop("_sender", None)
    return kept


def read_turns(engine: Any, since: float) -> list[Turn]:
    """Every patient turn since `since` (epoch seconds); no conversation is changed."""
    import sqlalchemy as sa

    if not sa.inspect(engine).has_table("events"):
        return []
    events = sa.table(
        "events",
        sa.column("id"), sa.column("sender_id"), sa.column("type_name"),
        sa.column("timestamp"), sa.column("action_name"), sa.column("data"),
    )  # fmt: skip
    query = (
        sa.select(
            events.c.sender_id,
            events.c.type_name,
            events.c.timestamp,
            events.c.action_name,
            events.c.data,
        )
        .where(events.c.timestamp >= since)
        .where(events.c.type_name.in_(["user", "bot", "slot"]))
        .order_by(events.c.id)
    )
    with engine.connect() as connection:
        return rows_to_turns(connection.execute(query))
