"""What the bad-input and failure tests share: the corpus of odd input, the follow-up
questions and their answers, what must never leak, and helpers for Rasa's tracker."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from ops.processes import API_TOKEN

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "data" / "bad_inputs.yml"
KINDS: list[dict[str, Any]] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["kinds"]
CREDENTIALS = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
MAX_MESSAGE_CHARS = CREDENTIALS["channels.socketio.SocketIOInput"]["max_message_chars"]
CONFIG = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
APOLOGY = DOMAIN["responses"]["utter_answer_unavailable"][0]["text"]  # {clinic_phone}
ACTION_TIMEOUT_S = next(
    float(policy["action_timeout_s"])
    for policy in CONFIG["policies"]
    if policy["name"].endswith("ActionClientSettings")
)

# A normal question after each bad input, and the answer it must get.
FOLLOW_UPS = [
    ("what is stem cell therapy for back pain", "overview"),
    ("how is the injection given", "procedure"),
    ("is it safe? are there risks", "safety"),
    ("how much does it cost", "not_covered"),
    ("which conditions can it be used for?", "conditions"),
    ("do they use ultrasound or x-ray to guide the needle", "imaging_guidance"),
]
# What must never reach a patient: stack traces, source files, internal paths.
LEAKS = ("Traceback", 'File "', "site-packages", '.py", line', str(ROOT), "/usr/lib/python")
PARALLEL = 4  # kinds in flight at once
REPLY_TIMEOUT_S = 30
SETTLE_S = 1.0  # this long without a new bot message: the reply is complete
NO_REPLY_WAIT_S = 3.0

if not hasattr(aiohttp, "ClientWSTimeout"):
    # python-engineio 4.15's asyncio client expects aiohttp >= 3.11 (Rasa pins 3.9).
    aiohttp.ClientWSTimeout = lambda ws_close=10.0, **_: ws_close  # type: ignore[attr-defined]


def follow_up(index: int) -> tuple[str, str]:
    return FOLLOW_UPS[index % len(FOLLOW_UPS)]


def expand(value: Any, sender: str) -> Any:
    """Fill $SENDER, $LONG and $NESTED in every string of `value`."""
    if isinstance(value, str):
        return (
            value.replace("$SENDER", sender)
            .replace("$LONG", "s" * 300)
            .replace("$NESTED", "[" * 100_000 + "]" * 100_000)
        )
    if isinstance(value, list):
        return [expand(item, sender) for item in value]
    if isinstance(value, dict):
        return {key: expand(item, sender) for key, item in value.items()}
    return value


def message_of(kind: dict[str, Any]) -> str | None:
    if "generate" in kind:
        text, chars = kind["generate"]["text"], kind["generate"]["chars"]
        return (text * (chars // len(text) + 1))[:chars]
    return kind.get("message")


def leaks(text: str) -> list[str]:
    return [marker for marker in LEAKS if marker in text]


async def tracker(http: aiohttp.ClientSession, url: str, sender: str) -> dict[str, Any]:
    async with http.get(f"{url}/conversations/{sender}/tracker", params={"token": API_TOKEN}) as r:
        r.raise_for_status()
        return await r.json()


async def answered(http: aiohttp.ClientSession, url: str, sender: str, text: str) -> str | None:
    """The answer id of the turn started by `text`, once it is stored (socket.io replies
    are sent before the tracker is saved)."""
    deadline = time.monotonic() + 15
    while True:
        state = await tracker(http, url, sender)
        events = state["events"]
        done = events and events[-1].get("name") == "action_listen"
        if done and state["latest_message"].get("text") == text.strip():
            return state["slots"].get("answer_id")
        if time.monotonic() > deadline:
            return f"<turn not stored: {state['latest_message'].get('text')!r}>"
        await asyncio.sleep(0.2)
