"""Odd input over REST and socket.io: the patient always gets a calm reply.

Every kind of tests/data/bad_inputs.yml, each in a conversation of its own, then a
normal question in the same conversation, which must get its right answer.
The servers are shared by the whole module.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from typing import Any

import aiohttp
import pytest
import socketio

from clinic.catalog import Catalog
from clinic.notices import NOTICE_NAMES, load_notices
from ops.processes import Assistant, free_port
from tests.system.bad_input_kit import (
    KINDS,
    MAX_MESSAGE_CHARS,
    NO_REPLY_WAIT_S,
    PARALLEL,
    REPLY_TIMEOUT_S,
    ROOT,
    SETTLE_S,
    answered,
    expand,
    follow_up,
    leaks,
    message_of,
    tracker,
)
from tests.system.sio_chat import Chat

# ---------------------------------------------------------------------------- REST


async def rest_kind(
    http: aiohttp.ClientSession, url: str, kind: dict[str, Any], index: int
) -> dict[str, Any]:
    sender = f"bad-rest-{index}-{kind['name']}"
    headers = {"Content-Type": kind.get("content_type", "application/json")}
    if "raw" in kind:
        data = expand(kind["raw"], sender).encode("latin-1")
    elif "body" in kind:
        data = json.dumps(expand(kind["body"], sender)).encode()
    else:
        data = json.dumps({"sender": sender, "message": message_of(kind)}).encode()
    result: dict[str, Any] = {"sender": sender}
    async with http.post(f"{url}/webhooks/rest/webhook", data=data, headers=headers) as r:
        result["status"], result["body"] = r.status, await r.text()
    if result["status"] == 200 and kind.get("answer"):
        result["answer"] = (await tracker(http, url, sender))["slots"].get("answer_id")
    question, expected = follow_up(index)
    body = {"sender": sender, "message": question}
    async with http.post(f"{url}/webhooks/rest/webhook", json=body) as r:
        result["follow_up_status"], result["follow_up_body"] = r.status, await r.text()
    result["follow_up_answer"] = (await tracker(http, url, sender))["slots"].get("answer_id")
    result["follow_up_expected"] = expected
    return result


def run_corpus(assistant: Assistant, send_kind: Any, timeout_s: float) -> dict[str, dict[str, Any]]:
    """Send every kind of the corpus with `send_kind(http, url, kind, index)`, a few at once."""

    async def run() -> dict[str, dict[str, Any]]:
        limit = asyncio.Semaphore(PARALLEL)
        timeout = aiohttp.ClientTimeout(total=timeout_s)
        async with aiohttp.ClientSession(timeout=timeout) as http:

            async def one(index: int, kind: dict[str, Any]) -> tuple[str, dict[str, Any]]:
                async with limit:
                    try:
                        return kind["name"], await send_kind(http, assistant.url, kind, index)
                    except Exception as error:  # reported by the kind's test
                        return kind["name"], {"error": f"{type(error).__name__}: {error!r}"}

            pairs = await asyncio.gather(*(one(i, kind) for i, kind in enumerate(KINDS)))
        return dict(pairs)

    return asyncio.run(run())


@pytest.fixture(scope="module")
def rest_results(assistant: Assistant) -> dict[str, dict[str, Any]]:
    return run_corpus(assistant, rest_kind, REPLY_TIMEOUT_S * 2)


def test_the_corpus_has_at_least_40_kinds():
    names = [kind["name"] for kind in KINDS]
    assert len(names) >= 40
    assert len(set(names)) == len(names)
    for kind in KINDS:
        assert kind["rest"] in ("reply", 400, 413), kind["name"]
        assert kind["socketio"] in ("reply", "notice", "dropped", "disconnect"), kind["name"]


@pytest.mark.server
@pytest.mark.parametrize("kind", KINDS, ids=[kind["name"] for kind in KINDS])
def test_rest_bad_input_gets_a_calm_reply_or_a_clear_4xx(
    kind: dict[str, Any], rest_results: dict[str, dict[str, Any]], catalog: Catalog
):
    result = rest_results[kind["name"]]
    assert "error" not in result, result.get("error")
    status, body = result["status"], result["body"]
    assert status < 500, body[:300]
    assert not leaks(body), body[:300]
    if kind["rest"] == "reply":
        assert status == 200, body[:300]
        replies = json.loads(body)
        assert replies, "no reply"
        assert {reply["recipient_id"] for reply in replies} == {result["sender"]}
        text = "\n".join(reply.get("text", "") for reply in replies)
        if kind.get("answer"):
            assert result["answer"] == kind["answer"]
        for name in kind.get("reply_names", []):
            assert catalog.settings[name] in text
        if kind.get("not_in_reply"):
            assert kind["not_in_reply"] not in text
    else:
        assert status == kind["rest"], body[:300]
        error = json.loads(body)
        reason = error.get("error") or error.get("message")
        assert reason and "\n" not in reason, body[:300]
    # ... and the conversation goes on.
    assert result["follow_up_status"] == 200, result["follow_up_body"][:300]
    assert json.loads(result["follow_up_body"]), "no reply to the next question"
    assert result["follow_up_answer"] == result["follow_up_expected"]


# ------------------------------------------------------------------------ socket.io


async def raw_frame(url: str, session_id: str, frame: str, first_timeout: float) -> dict[str, Any]:
    """Send `frame` on a bare socket.io websocket joined to the session; what came back
    (bot messages until none came for SETTLE_S, or none within first_timeout)."""
    ws_url = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    result: dict[str, Any] = {"replies": [], "closed": False}
    async with aiohttp.ClientSession() as http, http.ws_connect(ws_url) as ws:
        assert (await ws.receive_str(timeout=10)).startswith("0")  # engine.io open
        await ws.send_str("40")
        assert (await ws.receive_str(timeout=10)).startswith("40")  # namespace joined
        request = json.dumps(["session_request", {"session_id": session_id}])
        await ws.send_str(f"42{request}")
        assert "session_confirm" in await ws.receive_str(timeout=10)
        await ws.send_str(frame)
        timeout = first_timeout
        while True:
            try:
                message = await ws.receive(timeout=timeout)
            except asyncio.TimeoutError:
                break
            if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                                aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.ERROR):  # fmt: skip
                result["closed"] = True
                break
            if message.type == aiohttp.WSMsgType.TEXT and message.data.startswith("42"):
                result["replies"].append(json.loads(message.data[2:])[1])
                timeout = SETTLE_S
        result["closed"] = result["closed"] or ws.closed
    return result


async def socketio_kind(
    http: aiohttp.ClientSession, url: str, kind: dict[str, Any], index: int
) -> dict[str, Any]:
    session_id = f"bad-sio-{index}-{kind['name']}"
    result: dict[str, Any] = {"sender": session_id, "closed": False}
    expect_reply = kind["socketio"] in ("reply", "notice")
    wait = REPLY_TIMEOUT_S if expect_reply else NO_REPLY_WAIT_S
    if "socketio_raw" in kind:
        frame = expand(kind["socketio_raw"], session_id)
        outcome = await raw_frame(url, session_id, frame, wait)
        result["replies"], result["closed"] = outcome["replies"], outcome["closed"]
    else:
        if "socketio_body" in kind:
            data = expand(kind["socketio_body"], session_id)
        elif "body" in kind:
            data = expand(kind["body"], session_id)
            if isinstance(data, dict) and "sender" in data:
                data["session_id"] = data.pop("sender")
        else:
            data = {"message": message_of(kind), "session_id": session_id}
        async with Chat(url, session_id) as chat:
            try:
                await chat.send(data)
            except (socketio.exceptions.SocketIOError, aiohttp.ClientError) as error:
                result["send_error"] = repr(error)
            if kind["socketio"] == "disconnect":
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(chat.closed.wait(), 15)
                result["replies"] = []
            else:
                result["replies"] = await chat.replies(wait)
            result["closed"] = chat.closed.is_set()
    if kind.get("answer") and result["replies"]:
        result["answer"] = await answered(http, url, session_id, message_of(kind) or "")
    question, expected = follow_up(index)
    async with Chat(url, session_id) as chat:  # a new connection, as the widget reconnects
        result["follow_up_replies"] = await chat.say(question)
    result["follow_up_answer"] = await answered(http, url, session_id, question)
    result["follow_up_expected"] = expected
    return result


@pytest.fixture(scope="module")
def socketio_results(assistant: Assistant) -> dict[str, dict[str, Any]]:
    return run_corpus(assistant, socketio_kind, REPLY_TIMEOUT_S)


def notices(catalog: Catalog) -> set[str]:
    texts = load_notices()
    return {texts.text(name, MAX_MESSAGE_CHARS) for name in NOTICE_NAMES}


@pytest.mark.server
@pytest.mark.parametrize("kind", KINDS, ids=[kind["name"] for kind in KINDS])
def test_socketio_bad_input_gets_a_calm_reply_or_is_rejected(
    kind: dict[str, Any], socketio_results: dict[str, dict[str, Any]], catalog: Catalog
):
    result = socketio_results[kind["name"]]
    assert "error" not in result, result.get("error")
    texts = [reply.get("text", "") for reply in result["replies"]]
    for text in texts:
        assert not leaks(text), text
    expected = kind["socketio"]
    if expected == "reply":
        assert texts, "no reply"
        assert not set(texts) & notices(catalog), texts
        joined = "\n".join(texts)
        if kind.get("answer"):
            assert result["answer"] == kind["answer"]
        for name in kind.get("reply_names", []):
            assert catalog.settings[name] in joined
        if kind.get("not_in_reply"):
            assert kind["not_in_reply"] not in joined
    elif expected == "notice":
        assert len(texts) == 1 and texts[0] in notices(catalog), texts
    elif expected == "dropped":
        assert not texts, texts
    else:
        assert result["closed"], "the connection stayed open"
    # ... and the conversation goes on, on a new connection to the same session.
    assert result["follow_up_replies"], "no reply to the next question"
    assert result["follow_up_answer"] == result["follow_up_expected"]


async def test_a_failure_while_answering_gets_an_apology_not_an_empty_reply(catalog: Catalog):
    """Rasa's REST channel answers `[]` when the dialogue engine raises; ours apologises."""
    from sanic import Sanic

    from channels.rest import RestInput

    async def failing(message: Any) -> None:
        raise RuntimeError(f"internal failure in {ROOT}/secret.py")

    app = Sanic(f"failing_{uuid.uuid4().hex}")
    app.blueprint(RestInput().blueprint(failing), url_prefix="/webhooks/rest")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    assert server is not None
    await server.startup()
    try:
        async with aiohttp.ClientSession() as http:
            body = {"sender": "failing", "message": "how is it done?"}
            url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
            async with http.post(url, json=body) as response:
                status, replies = response.status, await response.json()
    finally:
        server.close()
        await server.wait_closed()
    assert status == 200
    assert len(replies) == 1 and replies[0]["recipient_id"] == "failing"
    assert catalog.settings["phone"] in replies[0]["text"]
    assert not leaks(replies[0]["text"])
