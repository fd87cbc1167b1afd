"""`make shell`: staff talk to the assistant in a terminal and see everything.

Each answer is printed whole (wrapped to the terminal), then its Source line, then
the buttons as numbered choices: type a number to pick one, or type anything else.
With `--debug` (`make shell DEBUG=1`) every turn also shows the intent and its
confidence, the next alternatives, the entities, the answer id and variant, the
red-flag verdict and category, and the policy that chose each action.

It starts its own action server and Rasa server (free loopback ports, its own
SQLite store under var/staff-shell/: staff conversations stay out of the patients'
store), and marks its messages `input_channel: cmdline`, as `rasa shell` does.
Plain `rasa shell` keeps working as Rasa users expect.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import textwrap
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from ops.environment import ROOT
from ops.processes import API_TOKEN, Assistant

MODEL = ROOT / "models" / "clinic-assistant.tar.gz"
WORKDIR = ROOT / "var" / "staff-shell"
CHANNEL = "cmdline"
QUIT = {"/quit", "/exit", "/stop"}


def send(url: str, sender: str, text: str) -> list[dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": text, "input_channel": CHANNEL}).encode()
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def tracker(url: str, sender: str) -> dict[str, Any]:
    with urllib.request.urlopen(
        f"{url}/conversations/{sender}/tracker?token={API_TOKEN}", timeout=30
    ) as response:
        return json.loads(response.read())


def show(replies: list[dict[str, Any]], width: int) -> list[dict[str, str]]:
    """Print every reply in full; return the buttons of the turn, numbered from 1."""
    choices: list[dict[str, str]] = []
    for reply in replies:
        for paragraph in str(reply.get("text") or "").split("\n\n"):
            print(textwrap.fill(paragraph, width=width, subsequent_indent="  "))
            print()
        choices += reply.get("buttons") or []
    for number, button in enumerate(choices, 1):
        print(f"  {number}) {button.get('title')}")
    return choices


def debug_lines(state: dict[str, Any]) -> list[str]:
    """What the assistant understood and decided in the latest turn."""
    message = state.get("latest_message") or {}
    intent = message.get("intent") or {}
    ranking = [
        r for r in message.get("intent_ranking") or [] if r.get("name") != intent.get("name")
    ]
    entities = message.get("entities") or []
    flag = next((e["value"] for e in entities if e.get("entity") == "red_flag"), None)
    notice = next((e["value"] for e in entities if e.get("entity") == "safety_notice"), None)
    verdict = f"clear ({flag})" if flag else f"possible ({notice})" if notice else "none"
    events = state.get("events") or []
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    policies = [
        f"{e.get('name')} <- {e.get('policy') or '?'}"
        for e in events[last_user + 1 :]
        if e.get("event") == "action" and e.get("name") != "action_listen"
    ]
    slots = state.get("slots") or {}
    return [
        f"[debug] intent: {intent.get('name')} ({intent.get('confidence', 0):.2f})",
        "[debug] next: "
        + ", ".join(f"{r.get('name')} ({r.get('confidence', 0):.2f})" for r in ranking[:3]),
        "[debug] entities: "
        + (", ".join(f"{e.get('entity')}={e.get('value')}" for e in entities) or "none"),
        f"[debug] answer: {slots.get('answer_id')} variant: {slots.get('answer_variant')}",
        f"[debug] red flag: {verdict}",
        "[debug] actions: " + ("; ".join(policies) or "none"),
    ]


def chat(url: str, debug: bool, width: int) -> None:
    sender = f"staff-{uuid.uuid4().hex[:8]}"
    choices = show(send(url, sender, "/session_start"), width)
    print("Type a question, a number to pick a choice, or /quit.")
    while True:
        try:
            typed = input("You: ").strip()
        except EOFError:
            print()
            return
        if typed in QUIT:
            return
        if not typed:
            continue
        if typed.isdigit() and 1 <= int(typed) <= len(choices):
            button = choices[int(typed) - 1]
            print(f"  ({button.get('title')})")
            typed = button["payload"]
        print()
        choices = show(send(url, sender, typed), width)
        if debug:
            print("\n".join(debug_lines(tracker(url, sender))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--debug", action="store_true", help="show what was understood")
    parser.add_argument("--model", type=Path, default=MODEL)
    args = parser.parse_args(argv)
    if not args.model.exists():
        print(f"error: no model at {args.model}: run `make train` first")
        return 1
    shutil.rmtree(WORKDIR, ignore_errors=True)
    WORKDIR.mkdir(parents=True)
    width = min(100, shutil.get_terminal_size((100, 24)).columns - 2)
    print("Starting the assistant (about a minute)...", flush=True)
    assistant = Assistant(args.model, WORKDIR).start()
    try:
        chat(assistant.url, args.debug, width)
    except KeyboardInterrupt:
        print()
    finally:
        assistant.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
