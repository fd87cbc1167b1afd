"""What `make run` exposes, and how long conversations are kept.

- The Rasa HTTP API (trackers, model, ...) is off unless RASA_API_TOKEN is set, and
  then every call needs the token.
- The Rasa server and the action server listen on loopback unless told otherwise.
- CORS allows only the configured origins.
- No reply, error or API error shows a stack trace or an internal path.
- ops/retention.py deletes what is older than N days (RETENTION_DAYS, 30).

The servers are started with the commands and environment of ops/serve.py (on
free ports, with their own SQLite store).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ops import retention, serve
from ops.processes import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
SITE = "https://www.clinic.example"
OTHER_SITE = "https://evil.example"
TOKEN = "a-long-random-token-for-tests"
LEAKS = ("Traceback", 'File "', "site-packages", '.py", line', str(ROOT), "/usr/lib/python")
LOOPBACK_V4 = "0100007F"  # 127.0.0.1 in /proc/net/tcp
LOOPBACK_V6 = "00000000000000000000000001000000"  # ::1 in /proc/net/tcp6
DAY = 86_400


def serve_settings(monkeypatch: pytest.MonkeyPatch, **settings: str | None) -> None:
    for name in ("RASA_API_TOKEN", "CORS_ORIGINS", "RASA_HOST", "RASA_PORT", "WEB_PORT",
                 "RASA_ENDPOINTS"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        if value is not None:
            monkeypatch.setenv(name, value)


# ------------------------------------------------------------- the commands of make run


def test_make_run_enables_the_api_only_with_a_token(monkeypatch: pytest.MonkeyPatch):
    serve_settings(monkeypatch)
    assert "--enable-api" not in serve.commands()["rasa"]
    assert "--auth-token" not in serve.commands()["rasa"]
    serve_settings(monkeypatch, RASA_API_TOKEN=TOKEN)
    command = serve.commands()["rasa"]
    assert command[command.index("--enable-api") + 1 :][:2] == ["--auth-token", TOKEN]


def test_make_run_listens_on_loopback_by_default(monkeypatch: pytest.MonkeyPatch):
    serve_settings(monkeypatch)
    command = serve.commands()["rasa"]
    assert command[command.index("--interface") + 1] == "127.0.0.1"
    # rasa-sdk binds to SANIC_HOST (0.0.0.0 when unset)
    assert serve.environments()["actions"]["SANIC_HOST"] == "127.0.0.1"


def test_make_run_allows_only_the_demo_page_unless_told(monkeypatch: pytest.MonkeyPatch):
    serve_settings(monkeypatch)
    command = serve.commands()["rasa"]
    origins = command[command.index("--cors") + 1 : command.index("--credentials")]
    assert origins == ["http://localhost:8080", "http://127.0.0.1:8080"]
    serve_settings(monkeypatch, CORS_ORIGINS=f"{SITE} https://clinic.example")
    command = serve.commands()["rasa"]
    origins = command[command.index("--cors") + 1 : command.index("--credentials")]
    assert origins == [SITE, "https://clinic.example"]


# --------------------------------------------------------------------- running servers


@dataclass
class Served:
    """The Rasa server (and the action server) as ops/serve.py starts them."""

    workdir: Path
    token: str | None = None
    with_actions: bool = True
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def start(self, monkeypatch: pytest.MonkeyPatch, model: Path) -> Served:
        endpoints = self.workdir / "endpoints.yml"
        endpoints.write_text(json.dumps({
            "action_endpoint": {"url": f"http://127.0.0.1:{self.action_port}/webhook"},
            "tracker_store": {"type": "SQL", "dialect": "sqlite",
                              "db": str(self.workdir / "conversations.db")},
        }))  # fmt: skip
        serve_settings(monkeypatch, RASA_PORT=str(self.rasa_port), CORS_ORIGINS=SITE,
                       RASA_ENDPOINTS=str(endpoints), RASA_API_TOKEN=self.token)  # fmt: skip
        commands, env = serve.commands(), serve.environments()
        if self.with_actions:
            actions = commands["actions"]
            actions[actions.index(str(serve.ACTION_PORT))] = str(self.action_port)
            self._run(actions, env["actions"], "actions")
            wait_for(f"http://127.0.0.1:{self.action_port}/health", self.processes[-1],
                     self.workdir / "actions.log")  # fmt: skip
        self._run([*commands["rasa"], "--model", str(model)], env["rasa"], "rasa")
        wait_for(f"{self.url}/", self.processes[-1], self.workdir / "rasa.log")
        return self

    def _run(self, command: list[str], env: dict[str, str], name: str) -> None:
        log = (self.workdir / f"{name}.log").open("ab")
        self.processes.append(
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        )

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


def request(
    url: str,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return Response(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:
        return Response(error.code, dict(error.headers), error.read().decode(errors="replace"))


def leaks(response: Response) -> list[str]:
    text = response.body + json.dumps(response.headers)
    return [marker for marker in LEAKS if marker in text]


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on `port` (hex, as in /proc/net/tcp*)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # LISTEN
                found.add(address)
    return found


API_CALLS = [
    ("GET", "/status"),
    ("GET", "/version"),
    ("GET", "/domain"),
    ("GET", "/conversations/someone/tracker"),
    ("POST", "/conversations/someone/messages"),
    ("PUT", "/conversations/someone/tracker/events"),
    ("POST", "/conversations/someone/trigger_intent"),
    ("POST", "/model/parse"),
    ("PUT", "/model"),
    ("DELETE", "/model"),
]


def api_call(url: str, method: str, path: str, token: str | None = None) -> Response:
    query = f"?token={token}" if token else ""
    body = json.dumps({"text": "hello", "sender": "user"}).encode() if method != "GET" else None
    headers = {"Content-Type": "application/json"}
    return request(f"{url}{path}{query}", method, body, headers)


@pytest.mark.server
class TestMakeRunWithoutToken:
    @pytest.fixture(scope="class")
    def served(self, trained_model: Path, tmp_path_factory: pytest.TempPathFactory):
        with pytest.MonkeyPatch.context() as monkeypatch:
            running = Served(tmp_path_factory.mktemp("security"))
            try:
                yield running.start(monkeypatch, trained_model)
            finally:
                running.stop()

    @pytest.mark.parametrize(("method", "path"), API_CALLS)
    def test_the_http_api_is_off(self, served: Served, method: str, path: str):
        for token in (None, "test-token", TOKEN):
            response = api_call(served.url, method, path, token)
            assert response.status in (404, 405), (token, response.status, response.body[:200])
            assert not leaks(response)

    def test_the_chat_channels_work(self, served: Served):
        body = json.dumps({"sender": "security-1", "message": "is it safe?"}).encode()
        headers = {"Content-Type": "application/json"}
        response = request(f"{served.url}/webhooks/rest/webhook", "POST", body, headers)
        assert response.status == 200 and json.loads(response.body)
        assert request(f"{served.url}/webhooks/socketio/").status == 200

    def test_both_servers_listen_on_loopback_only(self, served: Served):
        for port in (served.rasa_port, served.action_port):
            addresses = listening_addresses(port)
            assert addresses, f"nothing listens on {port}"
            assert addresses <= {LOOPBACK_V4, LOOPBACK_V6}, (port, addresses)

    @pytest.mark.parametrize(
        "path",
        ["/webhooks/rest/webhook", "/socket.io/?EIO=4&transport=polling"],
    )
    def test_cors_allows_the_configured_site_only(self, served: Served, path: str):
        def preflight(origin: str) -> Response:
            headers = {"Origin": origin, "Access-Control-Request-Method": "POST",
                       "Access-Control-Request-Headers": "content-type"}  # fmt: skip
            return request(f"{served.url}{path}", "OPTIONS", headers=headers)

        allowed = preflight(SITE).headers
        assert allowed.get("Access-Control-Allow-Origin") == SITE
        refused = preflight(OTHER_SITE).headers
        assert refused.get("Access-Control-Allow-Origin") in (None, SITE), refused
        assert "*" not in refused.get("Access-Control-Allow-Origin", "")

    def test_cors_on_a_real_request(self, served: Served):
        body = json.dumps({"sender": "security-cors", "message": "hello"}).encode()
        for origin, expected in ((SITE, SITE), (OTHER_SITE, None)):
            headers = {"Content-Type": "application/json", "Origin": origin}
            response = request(f"{served.url}/webhooks/rest/webhook", "POST", body, headers)
            assert response.headers.get("Access-Control-Allow-Origin") == expected, origin

    @pytest.mark.parametrize(
        ("method", "path", "body", "content_type"),
        [
            ("GET", "/no/such/page", None, None),
            ("GET", "/webhooks/rest/webhook", None, None),
            ("POST", "/webhooks/rest/webhook", b'{"sender": ', "application/json"),
            ("POST", "/webhooks/rest/webhook", b"[1, 2]", "application/json"),
            ("POST", "/webhooks/rest/webhook", b'{"sender": 1, "message": 2}', "text/plain"),
            ("POST", "/webhooks/rest/webhook", b"x" * 1_200_000, "application/json"),
            ("POST", "/webhooks/nochannel/webhook", b"{}", "application/json"),
            ("GET", "/socket.io/?EIO=99&transport=polling", None, None),
            ("GET", "/socket.io/?EIO=4&transport=polling&sid=not-a-session", None, None),
            ("POST", "/socket.io/?EIO=4&transport=polling&sid=x", b"garbage", "text/plain"),
            ("GET", "/webhooks/rest/..%2F..%2F..%2Fetc%2Fpasswd", None, None),
        ],
    )
    def test_errors_show_no_stack_trace_or_path(
        self, served: Served, method: str, path: str, body: bytes | None, content_type: str | None
    ):
        headers = {"Content-Type": content_type} if content_type else {}
        response = request(f"{served.url}{path}", method, body, headers)
        assert response.status < 500, response.body[:300]
        assert not leaks(response), response.body[:300]


@pytest.mark.server
class TestMakeRunWithToken:
    @pytest.fixture(scope="class")
    def served(self, trained_model: Path, tmp_path_factory: pytest.TempPathFactory):
        with pytest.MonkeyPatch.context() as monkeypatch:
            running = Served(tmp_path_factory.mktemp("security-token"), TOKEN, False)
            try:
                yield running.start(monkeypatch, trained_model)
            finally:
                running.stop()

    @pytest.mark.parametrize(("method", "path"), API_CALLS)
    def test_every_api_call_needs_the_token(self, served: Served, method: str, path: str):
        if path == "/version":
            pytest.skip("Rasa answers /version without a token (its version only)")
        for token in (None, "wrong-token"):
            response = api_call(served.url, method, path, token)
            assert response.status in (401, 403), (token, response.status, response.body[:200])
            assert not leaks(response)

    def test_with_the_token_the_api_answers(self, served: Served):
        assert api_call(served.url, "GET", "/status", TOKEN).status == 200
        response = api_call(served.url, "GET", "/conversations/nobody/tracker", TOKEN)
        assert response.status == 200

    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("POST", "/model/parse", b'{"text": '),
            ("POST", "/model/parse", b'{"text": 42}'),
            ("POST", "/conversations/x/messages", b'{"text": "hi", "sender": "nobody"}'),
            ("POST", "/conversations/x/trigger_intent", b'{"name": "no_such_intent"}'),
            ("POST", "/conversations/x/execute", b'{"name": "no_such_action"}'),
            ("PUT", "/conversations/x/tracker/events", b'[{"event": "no_such_event"}]'),
            ("POST", "/model/test/intents", b"not yaml: ["),
        ],
    )
    def test_api_errors_show_no_stack_trace_or_path(
        self, served: Served, method: str, path: str, body: bytes
    ):
        headers = {"Content-Type": "application/json"}
        response = request(f"{served.url}{path}?token={TOKEN}", method, body, headers)
        assert not leaks(response), response.body[:300]


# --------------------------------------------------------------------------- retention


def make_store(workdir: Path, conversations: dict[str, list[float]]) -> Path:
    """A tracker store as Rasa writes it; each conversation's events `age` days old."""
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    db = workdir / "conversations.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    now = time.time()
    for sender, ages in conversations.items():
        events: list[Any] = []
        for number, age in enumerate(ages):
            stamp = now - age * DAY
            events += [
                ActionExecuted("action_listen", timestamp=stamp),
                UserUttered(f"question {number}", timestamp=stamp),
                BotUttered(f"answer {number}", timestamp=stamp),
            ]
        tracker = DialogueStateTracker.from_events(sender, events)
        asyncio.run(store.save(tracker))
    store.engine.dispose()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        json.dumps({"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(db)}})
    )
    return endpoints


def stored(endpoints: Path) -> dict[str, list[str]]:
    import sqlite3

    db = json.loads(endpoints.read_text())["tracker_store"]["db"]
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id"
        ).fetchall()
    result: dict[str, list[str]] = {}
    for sender, data in rows:
        result.setdefault(sender, []).append(json.loads(data)["text"])
    return result


CONVERSATIONS = {"old": [45, 40], "mixed": [35, 2], "recent": [3, 0.1]}


def test_retention_deletes_what_is_older_than_n_days(tmp_path: Path, capsys):
    endpoints = make_store(tmp_path, CONVERSATIONS)
    before = stored(endpoints)

    assert retention.main(["--days", "30", "--dry-run", "--endpoints", str(endpoints)]) == 0
    # 3 events a turn: both turns of "old", the first of "mixed"
    assert "would delete 9 events" in capsys.readouterr().out
    assert stored(endpoints) == before

    assert retention.main(["--days", "30", "--endpoints", str(endpoints)]) == 0
    out = capsys.readouterr().out
    assert "1 conversations entirely, 1 shortened" in out
    assert stored(endpoints) == {"mixed": ["question 1"], "recent": ["question 0", "question 1"]}


def test_retention_days_come_from_retention_days_by_default(tmp_path: Path):
    endpoints = make_store(tmp_path, CONVERSATIONS)
    env = {**os.environ, "RETENTION_DAYS": "42", "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "ops.retention", "--endpoints", str(endpoints)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Retention 42 days:")
    assert stored(endpoints) == {
        "old": ["question 1"],
        "mixed": ["question 0", "question 1"],
        "recent": ["question 0", "question 1"],
    }


def test_retention_default_is_30_days_and_refuses_nonsense(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("RETENTION_DAYS", raising=False)
    assert retention.retention_days(None) == 30
    monkeypatch.setenv("RETENTION_DAYS", "7")
    assert retention.retention_days(None) == 7
    assert retention.retention_days(90) == 90
    with pytest.raises(SystemExit):
        retention.retention_days(0)


def test_retention_refuses_a_store_it_cannot_handle(tmp_path: Path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: redis\n  url: localhost\n")
    with pytest.raises(SystemExit, match="SQL tracker store"):
        retention.main(["--endpoints", str(endpoints)])


def test_security_md_says_what_is_stored_where_and_how_long():
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    for needed in ("var/conversations.db", "RETENTION_DAYS", "make retention", "TLS",
                   "RASA_API_TOKEN", "CORS_ORIGINS"):  # fmt: skip
        assert needed in text, needed
