"""The lock store: a message waiting for a dead server's turn is served, never stuck."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.utils.endpoints import EndpointConfig

from components.runtime.lock_store import WaitingInMemoryLockStore, WaitingRedisLockStore

LIFETIME_S = 0.3


async def wait_behind_a_dead_server(store: InMemoryLockStore) -> list[int]:
    """[the dead server's ticket, the ticket served next]. A server took a ticket and
    died; the next message checks less often than the tickets live (a busy server), so
    both tickets expire between two checks."""
    dead = store.issue_ticket("patient-1", LIFETIME_S)  # never cleaned up
    served: list[int] = [dead]
    async with store.lock("patient-1", LIFETIME_S, wait_time_in_seconds=2 * LIFETIME_S) as lock:
        served.append(lock.now_serving)
    return served


def test_rasa_s_own_store_leaves_the_waiting_message_stuck():
    # Why the store exists: with Rasa's store the message is never served.
    with pytest.raises(asyncio.TimeoutError):
        asyncio.run(asyncio.wait_for(wait_behind_a_dead_server(InMemoryLockStore()), 3))


def test_a_waiting_message_is_served_once_the_dead_server_s_ticket_expires():
    store = WaitingInMemoryLockStore()
    served = asyncio.run(asyncio.wait_for(wait_behind_a_dead_server(store), 3))
    dead, waiting = served
    assert waiting == dead + 1  # the waiting message's own ticket
    assert store.get_lock("patient-1") is None  # cleaned up after the turn


def test_messages_of_one_conversation_are_still_served_one_at_a_time():
    store = WaitingInMemoryLockStore()
    order: list[str] = []

    async def turn(name: str, pause_s: float) -> None:
        await asyncio.sleep(pause_s)
        async with store.lock("patient-2", 30, wait_time_in_seconds=0.05):
            order.append(f"{name} starts")
            await asyncio.sleep(0.2)
            order.append(f"{name} ends")

    async def both() -> None:
        await asyncio.gather(turn("first", 0), turn("second", 0.05))

    asyncio.run(both())
    assert order == ["first starts", "first ends", "second starts", "second ends"]


def test_the_redis_store_reads_rasa_s_endpoint_settings():
    config = EndpointConfig(
        url="127.0.0.1", port=6390, db=2, password="secret", key_prefix="clinic", type="x"
    )
    store = WaitingRedisLockStore(endpoint_config=config)
    kwargs = store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("127.0.0.1", 6390, 2)
    assert kwargs["password"] == "secret" and store.key_prefix.startswith("clinic:")
