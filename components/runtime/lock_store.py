"""Rasa's Redis lock store, where a message waiting for its turn stays in the queue.

Rasa serialises the messages of one conversation with a ticket queue: each message
takes a ticket that expires after `TICKET_LOCK_LIFETIME` seconds, so that the ticket
of a server that died mid-turn does not block the conversation for ever. In Rasa 3.6
the ticket of a message that is *waiting* expires too; if it expires in the same
check as the dead server's ticket (a busy server checks less often than once a
second), the waiting message has no ticket left, is never served, and the patient's
request hangs until it times out. Seen with `make cluster` when a Rasa server is
killed under load (tests/system/test_cluster.py).

Here a waiting message renews its own ticket at every check: only the ticket of a
server that stopped checking (dead) expires.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig


class WaitingTicketsStayMixin:
    """Overrides `issue_ticket` and `_acquire_lock` of a Rasa `LockStore`."""

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        ticket = super().issue_ticket(conversation_id, lock_lifetime)  # type: ignore[misc]
        self._lifetimes()[(conversation_id, ticket)] = lock_lifetime
        return ticket

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self._lifetimes().pop((conversation_id, ticket_number), None)
        super().cleanup(conversation_id, ticket_number)  # type: ignore[misc]

    def _lifetimes(self) -> dict[tuple[str, int], float]:
        if not hasattr(self, "_ticket_lifetimes"):
            self._ticket_lifetimes: dict[tuple[str, int], float] = {}
        return self._ticket_lifetimes

    async def _acquire_lock(
        self, conversation_id: str, ticket: int, wait_time_in_seconds: float
    ) -> TicketLock:
        while True:
            lock = self.keep_in_queue(conversation_id, ticket)
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait_time_in_seconds)

    def keep_in_queue(self, conversation_id: str, ticket: int) -> TicketLock:
        """The conversation's lock with `ticket` renewed (put back if it expired)."""
        lifetime = self._lifetimes().get((conversation_id, ticket), LOCK_LIFETIME)
        try:
            store: Any = self
            lock = store.get_lock(conversation_id) or store.create_lock(conversation_id)
            lock.remove_expired_tickets()
            lock.tickets = [t for t in lock.tickets if t.number != ticket]
            lock.tickets.append(Ticket(ticket, time.time() + lifetime))
            lock.tickets.sort(key=lambda t: t.number)
            store.save_lock(lock)
        except Exception as error:  # Redis unreachable: Rasa's own error, handled upstream
            raise LockError(f"Error while waiting for the lock. Error:\n{error}") from error
        return lock


class WaitingRedisLockStore(WaitingTicketsStayMixin, RedisLockStore):
    """`lock_store: type: components.runtime.lock_store.WaitingRedisLockStore` with
    the settings of Rasa's `redis` lock store (url, port, db, password, key_prefix)."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)


class WaitingInMemoryLockStore(WaitingTicketsStayMixin, InMemoryLockStore):
    """The same queue in one process (tests, one server)."""
