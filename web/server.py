"""Serve the clinic's demo page with the chat widget (Python standard library + PyYAML).

    python web/server.py --port 8080 --rasa-port 5005

Routes:
  /                   the clinic page (web/index.html), with the clinic's name, phone and
                      hours from content/clinic.yml filled in (HTML-escaped)
  /chat.js            the loader a clinic embeds in its own site (see README)
  /clinic.css         the page's styles;  /widget.css  the widget's styles
  /vendor/webchat.js  the rasa-webchat bundle from node_modules/ (`npm ci`), without its
                      Google Fonts @import: the page calls no third party
  /health             "ok"

The page's widget talks to Rasa at http://<the page's host>:<rasa-port> unless
`--rasa-url` (or RASA_PUBLIC_URL) says otherwise, e.g. behind a TLS proxy:
RASA_PUBLIC_URL=https://chat.example-clinic.org.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import signal
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from clinic.placeholders import fill
from clinic.settings import load_settings

WEB = Path(__file__).resolve().parent
ROOT = WEB.parent
BUNDLE = ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"

STATIC = {
    "/chat.js": ("chat.js", "text/javascript; charset=utf-8"),
    "/clinic.css": ("clinic.css", "text/css; charset=utf-8"),
    "/widget.css": ("widget.css", "text/css; charset=utf-8"),
}
# rasa-webchat 1.0.1 puts this in its CSS; the widget font is set in widget.css instead.
GOOGLE_FONTS_IMPORT = re.compile(rb"@import url\(https://fonts\.googleapis\.com/[^)]*\);")
HOST_HEADER = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$")
SUBTITLE = "Questions about stem cell therapy for back pain"


def tel_href(phone: str) -> str:
    """`tel:` link target: the leading + and the digits of the phone number."""
    number = re.sub(r"\(.*?\)", "", phone)
    return "tel:" + ("+" if number.strip().startswith("+") else "") + re.sub(r"\D", "", number)


def load_bundle(path: Path = BUNDLE) -> bytes | None:
    if not path.exists():
        return None
    return GOOGLE_FONTS_IMPORT.sub(b"", path.read_bytes())


def rasa_origin(url: str) -> tuple[str, str]:
    """(http origin, websocket origin) of the Rasa server, for the page's CSP."""
    parts = urlsplit(url)
    ws = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc}", f"{ws}://{parts.netloc}"


def content_security_policy(rasa_url: str) -> str:
    http_origin, ws_origin = rasa_origin(rasa_url)
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            # the widget injects its styles as <style> elements
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            # the widget's carousel font is inlined as data: URIs (never used here)
            "font-src 'self' data:",
            f"connect-src 'self' {http_origin} {ws_origin}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


class Site:
    """What the server serves; read once at start-up."""

    def __init__(self, rasa_port: int, rasa_url: str | None) -> None:
        self.rasa_port = rasa_port
        self.rasa_url = rasa_url.rstrip("/") if rasa_url else None
        self.clinic = load_settings().values
        self.template = (WEB / "index.html").read_text(encoding="utf-8")
        self.bundle = load_bundle()
        self.static = {
            route: ((WEB / name).read_bytes(), kind) for route, (name, kind) in STATIC.items()
        }

    def rasa_url_for(self, host_header: str | None) -> str:
        """The configured Rasa URL, else the page's own host on the Rasa port."""
        if self.rasa_url:
            return self.rasa_url
        match = HOST_HEADER.match(host_header or "")
        host = match.group("host") if match else "localhost"
        return f"http://{host}:{self.rasa_port}"

    def page(self, rasa_url: str) -> bytes:
        values = {
            **self.clinic,
            "clinic_name": self.clinic["name"],
            "phone_href": tel_href(self.clinic["phone"]),
            "subtitle": SUBTITLE,
            "rasa_url": rasa_url,
        }
        page = fill(self.template, values, escape=lambda value: html.escape(value, quote=True))
        return page.encode("utf-8")


class Handler(BaseHTTPRequestHandler):
    site: Site
    server_version = "clinic-web"
    sys_version = ""

    def do_HEAD(self) -> None:
        self.handle_get(send_body=False)

    def do_GET(self) -> None:
        self.handle_get(send_body=True)

    def handle_get(self, send_body: bool) -> None:
        path = urlsplit(self.path).path
        headers: dict[str, str] = {}
        if path in ("/", "/index.html"):
            rasa_url = self.site.rasa_url_for(self.headers.get("Host"))
            body, kind = self.site.page(rasa_url), "text/html; charset=utf-8"
            headers["Content-Security-Policy"] = content_security_policy(rasa_url)
            headers["Cache-Control"] = "no-cache"
        elif path in self.site.static:
            body, kind = self.site.static[path]
            headers["Cache-Control"] = "no-cache"
        elif path == "/vendor/webchat.js":
            if self.site.bundle is None:
                self.send_text(
                    HTTPStatus.SERVICE_UNAVAILABLE,
                    f"{BUNDLE} is missing: run `npm ci` (or `make setup`).\n",
                    send_body,
                )
                return
            body, kind = self.site.bundle, "text/javascript; charset=utf-8"
            headers["Cache-Control"] = "max-age=3600"
        elif path == "/health":
            body, kind = b"ok\n", "text/plain; charset=utf-8"
        elif path == "/favicon.ico":
            self.send_response(HTTPStatus.NO_CONTENT)
            self.send_common_headers()
            self.end_headers()
            return
        else:
            self.send_text(HTTPStatus.NOT_FOUND, "Not found\n", send_body)
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_common_headers()
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def send_text(self, status: HTTPStatus, text: str, send_body: bool) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_common_headers()
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def send_common_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")

    def log_message(self, format: str, *args: Any) -> None:
        # Quiet on success: `make run` shares one terminal with Rasa's logs.
        if len(args) >= 2 and str(args[1]).isdigit() and int(args[1]) < 400:
            return
        sys.stderr.write(f"web: {self.address_string()} {format % args}\n")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default=os.environ.get("WEB_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT") or 8080))
    parser.add_argument(
        "--rasa-port",
        type=int,
        default=int(os.environ.get("RASA_PORT") or 5005),
        help="port of Rasa's server on the page's host (default 5005)",
    )
    parser.add_argument(
        "--rasa-url",
        default=os.environ.get("RASA_PUBLIC_URL") or None,
        help="the Rasa server's URL as browsers reach it (default http://<page host>:<rasa-port>)",
    )
    args = parser.parse_args(argv)
    if args.rasa_url and urlsplit(args.rasa_url).scheme not in ("http", "https"):
        parser.error("--rasa-url must start with http:// or https://")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    site = Site(args.rasa_port, args.rasa_url)
    if site.bundle is None:
        print(f"web: {BUNDLE} is missing; run `npm ci` for the chat widget", file=sys.stderr)
    handler = type("ClinicHandler", (Handler,), {"site": site})
    server = ThreadingHTTPServer((args.host, args.port), handler)
    server.daemon_threads = True

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    # Both, explicitly: a child started with SIGINT ignored must still stop on Ctrl-C.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"web: serving the clinic page on http://{args.host}:{args.port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
