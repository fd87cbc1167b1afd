"""The clinic page and its chat widget, driven in headless Chromium (Debian's).

Every test runs the real stack: action server, Rasa server (socket.io channel from
credentials.yml, CORS limited to the test page's origin) and web/server.py serving
the rasa-webchat bundle from node_modules/. The browser may only talk to
127.0.0.1/localhost: any other request is blocked and fails the test.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    Page,
    Route,
    WebSocket,
    WebSocketRoute,
    expect,
    sync_playwright,
)

from actions.rendering import render
from clinic.catalog import Catalog
from ops.environment import common_env
from ops.processes import Assistant, free_port, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.server]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
BUNDLE = ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"
SCREENSHOT = ROOT / "reports" / "web" / "answered-chat.png"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
TIMEOUT_MS = 30_000
SETTLED_CHECKS = 6  # x 250 ms without a new bot message: the reply is complete

SOURCE_LINE = re.compile(r"^Sources?: \S")
HTML_INJECTION = '<img src=x onerror="window.__injected = true">'
RED_FLAG = "I can't control my bladder and my back really hurts"

# Records what the page attempted that it should not have.
WATCH_PAGE = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture(scope="module")
def web_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def assistant(
    trained_model: Path, tmp_path_factory: pytest.TempPathFactory, web_port: int
) -> Iterator[Assistant]:
    running = Assistant(
        trained_model,
        tmp_path_factory.mktemp("web"),
        extra_rasa_args=("--cors", f"http://127.0.0.1:{web_port}"),
    ).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def site(assistant: Assistant, web_port: int) -> Iterator[str]:
    assert BUNDLE.exists(), f"{BUNDLE} is missing: run `npm ci` (make setup does)"
    log = assistant.workdir / "web.log"
    command = [
        sys.executable, str(ROOT / "web" / "server.py"),
        "--port", str(web_port), "--rasa-port", str(assistant.rasa_port),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=common_env(), stdout=log.open("ab"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{web_port}"
    try:
        wait_for(f"{url}/health", process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "Chromium is missing: apt-get install chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@dataclass
class Chat:
    """One patient's browser tab on the clinic page."""

    page: Page
    site: str
    blocked: list[str] = field(default_factory=list)
    sockets: list[WebSocketRoute] = field(default_factory=list)

    def open_page(self) -> None:
        self.page.goto(self.site + "/")
        expect(self.launcher).to_be_visible(timeout=TIMEOUT_MS)

    @property
    def launcher(self):
        return self.page.locator("#clinic-chat .rw-launcher")

    @property
    def bot(self):
        return self.page.locator("#clinic-chat .rw-response")

    @property
    def patient(self):
        return self.page.locator("#clinic-chat .rw-client")

    @property
    def input(self):
        return self.page.locator("#clinic-chat .rw-new-message")

    def open_chat(self) -> None:
        self.launcher.click()
        self.wait_for_reply(0)

    def wait_for_reply(self, before: int) -> list[str]:
        """The bot's new messages once they stop changing (the widget shows them one by one)."""
        expect(self.bot).not_to_have_count(before, timeout=TIMEOUT_MS)
        texts, stable = self.bot.all_inner_texts(), 0
        while stable < SETTLED_CHECKS:
            self.page.wait_for_timeout(250)
            now = self.bot.all_inner_texts()
            stable = stable + 1 if now == texts else 0
            texts = now
        return [text.strip() for text in texts[before:]]

    def ask(self, text: str) -> list[str]:
        """Type a message, send it with Enter, return the bot's reply (one text per bubble)."""
        before = self.bot.count()
        self.input.fill(text)
        self.input.press("Enter")
        expect(self.patient.last).to_have_text(text)
        return self.wait_for_reply(before)

    def session_id(self) -> str:
        stored = self.page.evaluate("sessionStorage.getItem('chat_session')")
        return json.loads(stored)["session_id"]

    def check_nothing_leaked(self) -> None:
        assert self.blocked == [], f"requests to third parties: {self.blocked}"
        violations = self.page.evaluate("window.__cspViolations")
        assert violations == [], f"content security policy violations: {violations}"


@pytest.fixture
def chat(browser: Browser, site: str) -> Iterator[Chat]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    chat = Chat(page, site)

    def guard(route: Route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if host in LOCAL_HOSTS or route.request.url.startswith("data:"):
            route.continue_()
        else:
            chat.blocked.append(route.request.url)
            route.abort()

    def watch_socket(socket: WebSocket) -> None:
        if urlsplit(socket.url).hostname not in LOCAL_HOSTS:
            chat.blocked.append(socket.url)

    context.route("**/*", guard)
    page.on("websocket", watch_socket)
    # Lets a test inject a frame into the socket.io connection (see the markdown test).
    page.route_web_socket("**/socket.io/**", lambda ws: _forward(ws, chat))
    page.add_init_script(WATCH_PAGE)
    context.set_default_timeout(TIMEOUT_MS)
    yield chat
    try:
        chat.check_nothing_leaked()
    finally:
        context.close()


def _forward(ws: WebSocketRoute, chat: Chat) -> None:
    ws.connect_to_server()
    chat.sockets.append(ws)


def expected_text(catalog: Catalog, answer_id: str) -> list[str]:
    """What the patient should read: the catalog answer, its source line, "Was this
    helpful?".

    Rasa's socket.io channel sends each paragraph (split at blank lines) as its own
    message; the buttons (👍, 👎, then the follow-ups) come with the last one.
    """
    answer = catalog[answer_id]
    return render(catalog, answer, ask_feedback=answer.asks_feedback)["text"].split("\n\n")


def load_web_server():
    spec = importlib.util.spec_from_file_location("web_server", ROOT / "web" / "server.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_clinic_settings_are_escaped_into_the_page():
    server = load_web_server()
    site = server.Site(rasa_port=5005, rasa_url=None)
    site.clinic = {"name": '<script>alert("x")</script> & Co', "phone": "+1 555 0100 (x)"}
    page = site.page(site.rasa_url_for('evil"><script>:8080')).decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
    assert 'href="tel:+15550100"' in page
    # A malformed Host header cannot reach the page: the Rasa URL falls back to localhost.
    assert 'data-rasa-url="http://localhost:5005"' in page
    assert site.rasa_url_for("clinic.example:8080") == "http://clinic.example:5005"
    assert server.Site(5005, "https://rasa.example/").rasa_url_for("x") == "https://rasa.example"


def test_page_names_the_clinic_and_is_accessible(chat: Chat, catalog: Catalog):
    response = chat.page.goto(chat.site + "/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "connect-src 'self' http://127.0.0.1:" in policy
    page = chat.page
    settings = catalog.settings
    assert page.get_attribute("html", "lang") == "en"
    assert settings["name"] in page.title()
    body = page.locator("main").inner_text()
    for key in ("phone", "hours", "emergency_number"):
        assert settings[key] in body
    # `&` in the placeholder name is escaped in the HTML and reads as `&`.
    expect(page.locator(".clinic-name")).to_have_text(settings["name"])
    expect(page.locator("h1")).to_have_count(1)


def test_greeting_answer_and_follow_up_button(chat: Chat, catalog: Catalog, assistant: Assistant):
    chat.open_page()
    chat.open_chat()
    expect(chat.page.locator("#clinic-chat .rw-title")).to_have_text(catalog.settings["name"])
    expect(chat.page.locator("#clinic-chat .rw-header")).to_contain_text("stem cell therapy")
    welcome = chat.bot.first.inner_text()
    assert "not medical advice" in welcome
    assert f"call {catalog.settings['emergency_number']}" in welcome

    # Each paragraph reads exactly as written (markdown loses nothing); the source
    # line comes after the answer, styled as its caption, then "Was this helpful?".
    reply = chat.ask("how is stem cell therapy administered?")
    assert reply == expected_text(catalog, "procedure")
    assert SOURCE_LINE.match(reply[-2])
    assert reply[-1] == catalog["feedback_prompt"].text
    expect(chat.bot.nth(chat.bot.count() - 2)).to_have_class(re.compile(r"\bclinic-source\b"))
    assert assistant.answer_id(chat.session_id()) == "procedure"

    # 👍 / 👎, then the follow-ups, are clickable quick replies under the answer.
    replies = chat.page.locator("#clinic-chat .rw-replies").last.locator(".rw-reply")
    titles = [catalog[answer_id].button for answer_id in catalog["procedure"].follow_ups]
    expect(replies).to_have_text([*catalog["feedback_prompt"].choices.values(), *titles])
    before = chat.bot.count()
    replies.filter(has_text=catalog["imaging_guidance"].button).click()
    expect(chat.patient.last).to_have_text(catalog["imaging_guidance"].button)
    assert chat.wait_for_reply(before) == expected_text(catalog, "imaging_guidance")
    assert assistant.answer_id(chat.session_id()) == "imaging_guidance"

    # 👎 on that answer: thanked, asked what was missing, and both are stored.
    replies = chat.page.locator("#clinic-chat .rw-replies").last.locator(".rw-reply")
    before = chat.bot.count()
    replies.filter(has_text=catalog["feedback_prompt"].choices["no"]).click()
    assert chat.wait_for_reply(before)[0] == catalog.fill(catalog["feedback_more"].text)
    chat.ask("whether the x-ray is safe")
    slots = assistant.tracker(chat.session_id())["slots"]
    assert (slots["feedback"], slots["feedback_comment"]) == (
        "imaging_guidance:no",
        "whether the x-ray is safe",
    )

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    chat.page.screenshot(path=str(SCREENSHOT))


def test_red_flag_gets_the_emergency_reply(chat: Chat, catalog: Catalog, assistant: Assistant):
    chat.open_page()
    chat.open_chat()
    reply = " ".join(chat.ask(RED_FLAG))
    assert catalog.settings["emergency_number"] in reply
    assert "emergency department" in reply
    assert assistant.answer_id(chat.session_id()) == "emergency"


def test_patient_text_is_shown_as_text_never_as_html(chat: Chat):
    chat.open_page()
    chat.open_chat()
    chat.ask(HTML_INJECTION)
    message = chat.patient.last
    expect(message).to_have_text(HTML_INJECTION)
    assert message.locator("img").count() == 0
    assert chat.page.locator("#clinic-chat img[src='x']").count() == 0
    assert chat.page.evaluate("window.__injected") is None


def test_bot_markdown_renders_and_html_in_it_stays_text(chat: Chat):
    """Feed the widget a bot message directly (a socket.io frame), whatever Rasa says."""
    chat.open_page()
    chat.open_chat()
    assert chat.sockets, "the widget did not connect over WebSocket"
    text = (
        "**Bold** and *calm* words.\n\n"
        f"{HTML_INJECTION} stays text.\n\n"
        "[A safe link](https://example.org/info) and [a bad one](javascript:window.__injected=1)."
    )
    before = chat.bot.count()
    chat.sockets[-1].send("42" + json.dumps(["bot_uttered", {"text": text}]))
    chat.wait_for_reply(before)
    message = chat.bot.last
    expect(message.locator("p")).to_have_count(3)
    expect(message.locator("strong")).to_have_text("Bold")
    expect(message.locator("em")).to_have_text("calm")
    expect(message.locator("p").nth(1)).to_have_text(f"{HTML_INJECTION} stays text.")
    assert message.locator("img").count() == 0
    safe = message.locator("a", has_text="A safe link")
    expect(safe).to_have_attribute("href", "https://example.org/info")
    bad = message.locator("a", has_text="a bad one")
    expect(bad).not_to_have_attribute("href", re.compile("."))
    bad.click()
    assert chat.page.evaluate("window.__injected") is None


def test_conversation_is_kept_on_reload(chat: Chat, assistant: Assistant):
    chat.open_page()
    chat.open_chat()
    chat.ask("what is stem cell therapy for back pain")
    session = chat.session_id()
    messages = chat.page.locator("#clinic-chat .rw-message-text")
    before = messages.all_inner_texts()

    chat.page.reload()
    expect(chat.launcher).to_be_visible(timeout=TIMEOUT_MS)
    if chat.input.count() == 0:
        chat.launcher.click()
    expect(messages).to_have_count(len(before))
    assert messages.all_inner_texts() == before
    assert chat.session_id() == session

    # The same conversation goes on in Rasa, not a new one.
    chat.ask("is it safe?")
    assert assistant.answer_id(session) == "safety"
    said = [e.get("text") for e in assistant.tracker(session)["events"] if e["event"] == "user"]
    assert said[-2:] == ["what is stem cell therapy for back pain", "is it safe?"]


def test_keyboard_opens_the_chat_sends_and_follows_up(chat: Chat):
    chat.open_page()
    page = chat.page

    def tab_to(locator, key: str = "Tab") -> None:
        for _ in range(40):
            page.keyboard.press(key)
            if locator.evaluate("element => element === document.activeElement"):
                return
        pytest.fail(f"{key} never reached {locator}")

    def focus_is_visible() -> bool:
        style = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, s.outlineWidth]; })()"
        )
        return style[0] != "none" and style[1] != "0px"

    # The skip link comes first and shows when focused.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    assert focus_is_visible()
    expect(page.locator(".skip-link")).to_be_in_viewport()

    tab_to(chat.launcher)
    expect(chat.launcher).to_have_attribute("aria-label", "Open the chat")
    assert focus_is_visible(), "the focused launcher shows no focus outline"
    page.keyboard.press("Enter")
    chat.wait_for_reply(0)
    expect(chat.input).to_be_focused()
    expect(chat.input).to_have_attribute("aria-label", "Your question")

    before = chat.bot.count()
    page.keyboard.type("which conditions can it be used for?")
    page.keyboard.press("Enter")
    expect(chat.patient.last).to_have_text("which conditions can it be used for?")
    reply_texts = chat.wait_for_reply(before)
    assert SOURCE_LINE.match(reply_texts[-2])

    # The buttons (👍 / 👎, then the follow-ups) are in the tab order and work with Enter.
    reply = page.locator("#clinic-chat .rw-replies").last.locator(".rw-reply").first
    tab_to(reply, "Shift+Tab")
    assert focus_is_visible(), "the focused follow-up button shows no focus outline"
    title = reply.inner_text()
    before = chat.bot.count()
    page.keyboard.press("Enter")
    expect(chat.patient.last).to_have_text(title)
    assert chat.wait_for_reply(before)


def test_rasa_allows_only_the_configured_origin(assistant: Assistant, site: str):
    def allowed_origin(origin: str) -> str | None:
        request = urllib.request.Request(
            f"{assistant.url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers.get("Access-Control-Allow-Origin")

    assert allowed_origin(site) == site
    assert allowed_origin("https://attacker.example") is None
