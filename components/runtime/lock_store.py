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

Rasa's Redis store also changes the queue with a plain GET-modify-SET: two servers
taking a ticket for one conversation at the same moment can get the same number and
handle two messages of it at once (Rasa's fix is in Rasa Pro only). Here every change
of the queue (a ticket taken, renewed or given back) is one Redis transaction
(WATCH/MULTI/EXEC, retried when another server changed the queue in between).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
MAX_TRANSACTION_TRIES = 100


class WaitingTicketsStayMixin:
    """A Rasa `LockStore` whose queue changes go through `change_lock` (taking, renewing
    and giving back a ticket) and whose waiting messages renew their tickets."""

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            ticket = self.change_lock(conversation_id, take)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        self._lifetimes()[(conversation_id, ticket)] = lock_lifetime
        return ticket

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self._lifetimes().pop((conversation_id, ticket_number), None)

        def give_back(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self.change_lock(conversation_id, give_back)

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

        def renew(lock: TicketLock | None) -> tuple[TicketLock, TicketLock]:
            lock = lock or TicketLock(conversation_id)
            lock.remove_expired_tickets()
            lock.tickets = [t for t in lock.tickets if t.number != ticket]
            lock.tickets.append(Ticket(ticket, time.time() + lifetime))
            lock.tickets.sort(key=lambda t: t.number)
            return lock, lock

        try:
            return self.change_lock(conversation_id, renew)
        except Exception as error:  # Redis unreachable: Rasa's own error, handled upstream
            raise LockError(f"Error while waiting for the lock. Error:\n{error}") from error

    def change_lock(
        self,
        conversation_id: str,
        change: Callable[[TicketLock | None], tuple[TicketLock | None, T]],
    ) -> T:
        """Apply `change` to the stored lock (None: none stored) and store what it
        returns (None: delete the lock); one process here, so no other change can
        come in between."""
        store: Any = self
        lock, result = change(store.get_lock(conversation_id))
        if lock is None:
            store.delete_lock(conversation_id)
        else:
            store.save_lock(lock)
        return result


class WaitingRedisLockStore(WaitingTicketsStayMixin, RedisLockStore):
    """`lock_store: type: components.runtime.lock_store.WaitingRedisLockStore` with
    the settings of Rasa's `redis` lock store (url, port, db, password, key_prefix)."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
        super().__init__(**kwargs)

    def change_lock(
        self,
        conversation_id: str,
        change: Callable[[TicketLock | None], tuple[TicketLock | None, T]],
    ) -> T:
        """`change` as one transaction: retried if another server changed the lock
        between our read and our write."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            for _ in range(MAX_TRANSACTION_TRIES):
                try:
                    pipe.watch(key)
                    stored = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(stored)) if stored else None
                    lock, result = change(lock)
                    pipe.multi()
                    if lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue
        raise LockError(f"The lock of conversation {conversation_id!r} is too busy to change.")


class WaitingInMemoryLockStore(WaitingTicketsStayMixin, InMemoryLockStore):
    """The same queue in one process (tests, one server)."""
