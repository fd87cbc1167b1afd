"""The staff report's parts, on events written by hand: turns, figures, page, store."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from clinic.catalog import Catalog
from ops.report import figures
from ops.report.turns import conversation_id, rows_to_turns
from ops.store import read_only_engine

T0 = 1_790_000_000.0


def user(sender: str, t: float, text: str, intent: str, channel: str = "rest") -> tuple:
    data = {"text": text, "input_channel": channel, "parse_data": {"intent": {"name": intent}}}
    return (sender, "user", t, None, json.dumps(data))


def slot(sender: str, t: float, name: str, value: object) -> tuple:
    return (sender, "slot", t, name, json.dumps({"value": value}))


def bot(sender: str, t: float) -> tuple:
    return (sender, "bot", t, None, json.dumps({"text": "..."}))


ROWS = [
    user("ann", T0, "how much does it cost?", "ask_not_covered"),
    slot("ann", T0 + 0.1, "answer_id", "not_covered"),
    bot("ann", T0 + 0.2),
    user("ann", T0 + 5, "what does the treatment cost", "ask_not_covered"),
    slot("ann", T0 + 5.1, "answer_id", "not_covered"),
    bot("ann", T0 + 5.4),
    user("bob", T0 + 10, "is it safe", "ask_safety"),
    slot("bob", T0 + 10.1, "answer_id", "safety"),
    bot("bob", T0 + 10.3),
    user("bob", T0 + 20, "/feedback", "feedback"),
    slot("bob", T0 + 20.1, "feedback", "safety:no"),
    slot("bob", T0 + 20.1, "answer_id", "feedback_more"),
    user("bob", T0 + 30, "I wanted <b>side effects</b>", "ask_safety"),
    slot("bob", T0 + 30.1, "feedback_comment", "I wanted <b>side effects</b>"),
    slot("bob", T0 + 30.1, "answer_id", "safety"),
    user("cat", T0 + 40, "I can't pee and my back hurts", "red_flag"),
    slot("cat", T0 + 40.1, "red_flag", "cauda_equina"),
    slot("cat", T0 + 40.1, "answer_id", "emergency"),
    user("cat", T0 + 50, "can stem cells cause incontinence?", "ask_safety"),
    slot("cat", T0 + 50.1, "safety_notice", "cauda_equina"),
    slot("cat", T0 + 50.1, "answer_id", "safety"),
    user("staff", T0 + 60, "testing the price answer", "ask_not_covered", channel="cmdline"),
    slot("staff", T0 + 60.1, "answer_id", "not_covered"),
]


def test_turns_leave_staff_out_and_hide_sender_ids():
    turns = rows_to_turns(ROWS)
    assert len(turns) == 7
    assert {t.conversation for t in turns} == {conversation_id(s) for s in ("ann", "bob", "cat")}
    assert all("ann" not in t.conversation for t in turns)
    assert turns[0].reply_after_s == pytest.approx(0.2)
    assert turns[2].answer == "safety"


def test_every_figure_comes_from_the_turns(catalog: Catalog):
    f = figures.compute(rows_to_turns(ROWS), catalog, days=30)
    assert (f["conversations"], f["messages"]) == (3, 7)
    assert dict(f["answers"])["safety"] == 3
    assert f["rates"]["not_covered"] == pytest.approx(2 / 7)
    (gap,) = f["gaps"]  # the two cost questions are one gap
    assert (gap.count, gap.question) == (2, "how much does it cost?")
    assert f["red_flags"] == [{"day": figures.day_of(T0 + 40), "category": "cauda_equina",
                               "text": "I can't pee and my back hurts"}]  # fmt: skip
    assert [n["category"] for n in f["notices"]] == ["cauda_equina"]
    assert f["feedback"]["per_answer"] == [{"answer": "safety", "up": 0, "down": 1}]
    (down,) = f["feedback"]["down"]
    assert down["question"] == "is it safe" and down["comment"] == "I wanted <b>side effects</b>"
    assert down["source"].startswith(catalog["safety"].sources[0].section)
    assert "overview" in f["never_given"] and "safety" not in f["never_given"]
    assert f["latency_ms"]["replies"] == 3


def test_near_duplicates_group_but_different_questions_do_not():
    turns = rows_to_turns([
        user("a", T0, "does insurance cover it", "ask_not_covered"),
        slot("a", T0, "answer_id", "not_covered"),
        user("b", T0, "does my insurance cover stem cells", "ask_not_covered"),
        slot("b", T0, "answer_id", "not_covered"),
        user("c", T0, "how long is the recovery", "ask_not_covered"),
        slot("c", T0, "answer_id", "not_covered"),
    ])  # fmt: skip
    gaps = figures.group_gaps(turns)
    assert [g.count for g in gaps] == [2, 1]


def test_the_store_is_opened_read_only(tmp_path: Path):
    db = tmp_path / "conversations.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT)")
    engine = read_only_engine(f"sqlite:///{db}")
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM events")).scalar() == 0
        with pytest.raises(sa.exc.OperationalError, match="readonly"):
            connection.execute(sa.text("INSERT INTO events (sender_id) VALUES ('x')"))
    engine.dispose()
