"""`make shell` in a pseudo-terminal: whole answers, numbered choices, DEBUG details."""

from __future__ import annotations

import re
from pathlib import Path

import pexpect
import pytest

from actions.rendering import source_line
from clinic.catalog import Catalog

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 300
TURN_TIMEOUT_S = 60


def spawn(*make_args: str) -> pexpect.spawn:
    shell = pexpect.spawn(
        "make", ["--no-print-directory", "shell", *make_args], cwd=str(ROOT),
        encoding="utf-8", timeout=TURN_TIMEOUT_S, dimensions=(40, 80),
    )  # fmt: skip
    shell.expect("Type a question", timeout=START_TIMEOUT_S)
    shell.expect("You: ")
    return shell


def said(shell: pexpect.spawn, text: str) -> str:
    """What the shell printed in answer to `text`, up to its next prompt."""
    shell.sendline(text)
    shell.expect("You: ")
    return shell.before.replace("\r\n", "\n")


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.usefixtures("trained_model")
def test_a_long_answer_is_printed_whole_and_a_number_picks_a_follow_up(catalog: Catalog):
    shell = spawn()
    try:
        printed = said(shell, "what does the research say about stem cell therapy?")
        answer = catalog.fill(catalog["research"].text)
        assert len(answer) > 300  # longer than the terminal is wide
        assert flat(answer) in flat(printed)
        assert flat(source_line(catalog["research"])) in flat(printed)
        lines = [line.strip() for line in printed.splitlines()]
        assert f"1) {catalog['feedback_prompt'].choices['yes']}" in lines
        follow_up = catalog["research"].follow_ups[0]
        number = next(
            line.split(")")[0] for line in lines if line.endswith(f") {catalog[follow_up].button}")
        )
        printed = said(shell, number)
        assert flat(catalog.fill(catalog[follow_up].text)) in flat(printed)
    finally:
        shell.sendline("/quit")
        shell.expect(pexpect.EOF, timeout=60)


@pytest.mark.usefixtures("trained_model")
def test_debug_shows_intent_confidence_answer_and_red_flag_verdict(catalog: Catalog):
    shell = spawn("DEBUG=1")
    try:
        printed = said(shell, "how is the injection given?")
        assert re.search(r"\[debug\] intent: ask_procedure \(\d\.\d\d\)", printed)
        assert "[debug] next: " in printed
        assert "[debug] answer: procedure variant: None" in printed
        assert "[debug] red flag: none" in printed
        assert re.search(r"\[debug\] actions: action_answer <- \S*RulePolicy", printed)
        printed = said(shell, "I can't pee and my back is agony")
        assert "[debug] red flag: clear (cauda_equina)" in printed
        assert "utter_emergency <- " in printed and "SafetyPolicy" in printed
    finally:
        shell.sendline("/quit")
        shell.expect(pexpect.EOF, timeout=60)
