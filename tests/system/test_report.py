"""`make report` on a fresh tracker store filled with known conversations.

The conversations go over REST through both servers (Rasa and the action server),
including a staff-shell one (`input_channel: cmdline`) that must be left out. Every
figure of the report is checked against what each turn got (read back from Rasa's
tracker API), and the page is opened in headless Chromium: no console error, no
request leaving the machine, a screenshot under reports/.
"""

from __future__ import annotations

import csv
import html
import json
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from clinic.catalog import Catalog
from ops.processes import Assistant
from ops.report.__main__ import main as report_main

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = ROOT / "reports" / "report" / "report-page.png"
PATIENTS = {
    "cost": ["how much does it cost?", "what is the price of the treatment?"],
    "safe": ["is stem cell therapy safe?", "THUMBS_DOWN", "I wanted to know the side effects"],
    "flag": ["I can't pee and my back is agony since last night"],
    "notice": ["can stem cell injections cause incontinence?"],
    "other": ["can you recommend a good diet to lose weight?"],
    "done": ["how is the injection given", "THUMBS_UP"],
}
STAFF = ["how much does it cost?", "what about the price"]


def post(assistant: Assistant, sender: str, text: str, channel: str = "rest") -> list[dict]:
    body = json.dumps({"sender": sender, "message": text, "input_channel": channel}).encode()
    request = urllib.request.Request(
        f"{assistant.url}/webhooks/rest/webhook", data=body,
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def talk(assistant: Assistant, sender: str, messages: list[str], channel: str = "rest") -> None:
    last: list[dict] = []
    for text in messages:
        if text.startswith("THUMBS_"):
            helpful = '"helpful": "yes"' if text == "THUMBS_UP" else '"helpful": "no"'
            text = next(b["payload"] for r in last for b in r.get("buttons", [])
                        if helpful in b["payload"])  # fmt: skip
        last = post(assistant, sender, text, channel)


@pytest.fixture(scope="module")
def filled(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    assistant = Assistant(trained_model, tmp_path_factory.mktemp("report")).start()
    try:
        for sender, messages in PATIENTS.items():
            talk(assistant, f"patient-{sender}", messages)
        talk(assistant, "staff-1", STAFF, channel="cmdline")
        yield assistant
    finally:
        assistant.stop()


def turns_of(assistant: Assistant, sender: str) -> list[dict]:
    """What each patient message got: the slots set between it and the next one."""
    events = assistant.tracker(sender)["events"]
    turns: list[dict] = []
    for event in events:
        if event["event"] == "user":
            turns.append({"text": event["text"]})
        elif event["event"] == "slot" and turns:
            turns[-1][event["name"]] = event["value"]
    return turns


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def report(filled: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report-out")
    assert report_main(["--endpoints", str(filled.workdir / "endpoints.yml"), "--out", str(out),
                        "--days", "7"]) == 0  # fmt: skip
    return out


def test_every_figure_matches_what_was_sent(filled: Assistant, report: Path, catalog: Catalog):
    turns = [t for sender in PATIENTS for t in turns_of(filled, f"patient-{sender}")]
    answers = Counter(t["answer_id"] for t in turns if t.get("answer_id"))
    assert {r["answer"]: int(r["times"]) for r in rows(report / "answers.csv")} == dict(answers)
    assert int(rows(report / "per_day.csv")[0]["conversations"]) == len(PATIENTS)
    assert int(rows(report / "per_day.csv")[0]["messages"]) == len(turns)

    flags = [t for t in turns if t.get("answer_id") == "emergency"]
    assert [(r["category"], r["message"]) for r in rows(report / "red_flags.csv")] == [
        (t["red_flag"], t["text"]) for t in flags
    ]
    assert flags and flags[0]["text"] == PATIENTS["flag"][0]
    notices = [t for t in turns if t.get("safety_notice")]
    assert [r["message"] for r in rows(report / "safety_notices.csv")] == [
        t["text"] for t in notices
    ]
    assert [(r["answer"], r["up"], r["down"]) for r in rows(report / "feedback.csv")] == sorted(
        (t["feedback"].split(":")[0], str(int(t["feedback"].endswith("yes"))),
         str(int(t["feedback"].endswith("no")))) for t in turns if t.get("feedback")
    )  # fmt: skip
    (down,) = rows(report / "feedback_down.csv")
    assert (down["question"], down["answer"], down["comment"]) == (
        PATIENTS["safe"][0], "safety", PATIENTS["safe"][2],
    )  # fmt: skip
    gap_turns = [
        t for t in turns if t.get("answer_id") in ("clarify", "not_covered", "out_of_scope")
    ]
    assert sum(int(r["times"]) for r in rows(report / "gaps.csv")) == len(gap_turns)
    page = (report / "report.html").read_text(encoding="utf-8")
    for text in STAFF[1:]:
        assert text not in page  # staff-shell traffic is left out
    assert "patient-cost" not in page  # sender ids are hashed
    assert html.escape(catalog.settings["name"]) in page


def test_rasa_markers_are_in_the_report(report: Path):
    page = (report / "report.html").read_text(encoding="utf-8")
    for marker in ("fallback_reached", "handoff_asked", "emergency_given", "answer_thumbs_down"):
        assert f"<td>{marker}</td>" in page
    stats = rows(report / "markers-stats-overall.csv")
    applied = {r["marker"]: r["value"] for r in stats
               if r["statistic"].startswith("number_of_sessions_where_marker_applied")}  # fmt: skip
    assert float(applied["emergency_given"]) >= 1
    assert float(applied["answer_thumbs_down"]) >= 1


def test_the_page_is_self_contained_and_opens_without_errors(report: Path):
    assert CHROMIUM.exists(), "Chromium is missing: apt-get install chromium"
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )  # fmt: skip
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto((report / "report.html").as_uri())
        page.wait_for_load_state("load")
        assert page.locator("h1").inner_text().endswith("what patients asked the assistant")
        assert page.locator("img").count() == 2
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        browser.close()
    assert errors == []
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
