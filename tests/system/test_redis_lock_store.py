"""The Redis lock store against a real Redis: two servers never take one conversation at once.

Each thread stands for a Rasa server with its own connection to Redis. Rasa 3.6's
`RedisLockStore` changes the ticket queue with a plain GET-modify-SET, so that two
servers can take the same ticket; `WaitingRedisLockStore` makes each change one
transaction.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from rasa.core.lock_store import RedisLockStore

from components.runtime.lock_store import WaitingRedisLockStore
from ops.processes import free_port

pytestmark = pytest.mark.server

SERVERS = 4
TICKETS_EACH = 150


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    server = shutil.which("redis-server")
    assert server, "redis-server is not installed (apt-get install redis-server)"
    port, workdir = free_port(), tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline and process.poll() is None, "Redis did not start"
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(30)


def on_every_server(work: Callable[[int], None]) -> None:
    threads = [threading.Thread(target=work, args=(n,)) for n in range(SERVERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)


def tickets_taken(store_class: type, port: int, conversation: str) -> list[int]:
    taken: list[int] = []
    stores = [store_class(host="127.0.0.1", port=port, db=0) for _ in range(SERVERS)]

    def take(server: int) -> None:
        for _ in range(TICKETS_EACH):
            taken.append(stores[server].issue_ticket(conversation, 60))

    on_every_server(take)
    return taken


def test_servers_taking_tickets_at_once_never_share_one(redis_port: int):
    taken = tickets_taken(WaitingRedisLockStore, redis_port, "same-moment")
    assert len(taken) == SERVERS * TICKETS_EACH
    assert len(set(taken)) == len(taken)


def test_rasas_own_store_can_hand_one_ticket_to_two_servers(redis_port: int):
    """What the class above fixes: without transactions, tickets are shared."""
    taken = tickets_taken(RedisLockStore, redis_port, "rasa-store")
    assert len(set(taken)) < len(taken)


def test_one_conversation_is_handled_by_one_server_at_a_time(redis_port: int):
    inside: list[int] = []
    overlaps: list[tuple[int, int]] = []
    served: list[int] = []

    def serve(server: int) -> None:
        store = WaitingRedisLockStore(host="127.0.0.1", port=redis_port, db=0)

        async def messages() -> None:
            for _ in range(15):
                async with store.lock("one-patient", 30, wait_time_in_seconds=0.01):
                    if inside:
                        overlaps.append((inside[0], server))
                    inside.append(server)
                    await asyncio.sleep(0.005)
                    inside.remove(server)
                    served.append(server)

        asyncio.run(messages())

    on_every_server(serve)
    assert overlaps == []
    assert len(served) == SERVERS * 15
    assert redis.Redis(port=redis_port).keys("*one-patient") == []  # queue cleaned up


def test_the_store_reads_rasas_endpoint_settings(redis_port: int, tmp_path: Path):
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    config = EndpointConfig(
        url="127.0.0.1",
        type="components.runtime.lock_store.WaitingRedisLockStore",
        port=redis_port,
        db=0,
        key_prefix="clinic",
    )
    store = LockStore.create(config)
    assert isinstance(store, WaitingRedisLockStore)
    ticket = store.issue_ticket("settings-check", 60)
    assert redis.Redis(port=redis_port).exists("clinic:lock:settings-check")
    store.cleanup("settings-check", ticket)
    assert not redis.Redis(port=redis_port).exists("clinic:lock:settings-check")
