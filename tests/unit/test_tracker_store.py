"""CheckedSQLTrackerStore on SQLite: masked storage, forget, spool and replay, loud start-up."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components.runtime import store_health, tracker_store
from components.runtime.tracker_store import (
    FORGET_SLOT,
    CheckedSQLTrackerStore,
    TrackerStoreUnavailable,
)


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CheckedSQLTrackerStore:
    monkeypatch.setattr(tracker_store, "RETRY_PAUSE_S", 0)
    store_health.mark_up()
    yield CheckedSQLTrackerStore(
        db=str(tmp_path / "conversations.db"), spool_dir=str(tmp_path / "spool")
    )
    store_health.mark_up()


def tracker(sender: str, *texts: str) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen")]
    events += [UserUttered(text, {"name": "ask_procedure"}) for text in texts]
    return DialogueStateTracker.from_events(sender, events)


def stored_texts(store: CheckedSQLTrackerStore, sender: str) -> list[str]:
    with store.session_scope() as session:
        rows = session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender).all()
        return [json.loads(r.data).get("text") for r in rows if r.type_name == "user"]


def test_a_turn_is_stored_with_the_patients_details_masked(store: CheckedSQLTrackerStore):
    asyncio.run(store.save(tracker("p1", "my name is Ruth Hale, call 07700 900123")))
    (text,) = stored_texts(store, "p1")
    assert "Ruth" not in text and "900123" not in text and "[phone]" in text
    retrieved = asyncio.run(store.retrieve("p1"))
    assert retrieved is not None and retrieved.latest_message.text == text


def test_delete_my_chat_forgets_every_event_of_that_conversation_only(
    store: CheckedSQLTrackerStore,
):
    asyncio.run(store.save(tracker("p1", "is the injection painful?")))
    asyncio.run(store.save(tracker("p2", "how long does it take?")))
    forgetting = tracker("p1", "is the injection painful?", "delete my chat")
    forgetting.update(SlotSet(FORGET_SLOT, True))
    asyncio.run(store.save(forgetting))
    assert stored_texts(store, "p1") == []
    assert stored_texts(store, "p2") == ["how long does it take?"]


def test_a_turn_the_database_refuses_is_spooled_then_written_when_it_answers(
    store: CheckedSQLTrackerStore, monkeypatch: pytest.MonkeyPatch
):
    def refuse(_tracker: DialogueStateTracker) -> None:
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    with monkeypatch.context() as patch:
        patch.setattr(store, "_store_new_events", refuse)
        asyncio.run(store.save(tracker("p3", "does it work?", "my email is a@b.org")))
        assert store_health.is_down()
    spooled = list((store.spool_dir).glob("*.jsonl"))
    assert len(spooled) == 1 and "a@b.org" not in spooled[0].read_text()
    assert stored_texts(store, "p3") == []

    store.check()  # the database answers again: the spool is written, the server healthy
    assert not store_health.is_down()
    assert stored_texts(store, "p3") == ["does it work?", "my email is [email]"]
    assert list(store.spool_dir.glob("*.jsonl")) == []
    asyncio.run(store.save(tracker("p3", "does it work?", "my email is a@b.org", "thanks")))
    assert stored_texts(store, "p3") == ["does it work?", "my email is [email]", "thanks"]


def test_start_up_stops_with_one_clear_error_when_the_database_cannot_be_opened(
    tmp_path: Path,
):
    missing = tmp_path / "no-such-folder" / "conversations.db"
    with pytest.raises(TrackerStoreUnavailable, match="conversations cannot be stored"):
        CheckedSQLTrackerStore(db=str(missing), startup_wait_s=0)
