"""The nginx configuration of `make cluster`: sticky, WebSocket-ready, the page too.

- `hash $remote_addr consistent`: one patient's browser always reaches the same Rasa
  server (socket.io keeps its rooms in the process that holds the socket, and starts
  with HTTP long-polling); unlike `ip_hash`, it hashes the whole address, so clients
  on 127.0.0.x spread over the servers. A server that fails is skipped
  (`max_fails`), and nginx retries a request on the other one only when it could not
  be sent at all: a POST already sent is never replayed.
- WebSocket upgrade, HTTP/1.1 to the servers, no buffering (replies stream).
- `/webhooks/health/` of each server is what a cloud load balancer would poll.
"""

from __future__ import annotations

import os
from pathlib import Path

PROXY = """
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_read_timeout 120s;
      proxy_next_upstream error timeout;"""


def nginx_conf(workdir: Path, ports: dict[str, int], servers: int) -> str:
    upstream = "\n".join(
        f"    server 127.0.0.1:{ports[f'rasa{i}']} max_fails=1 fail_timeout=10s;"
        for i in range(servers)
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = workdir / "nginx-tmp"
    temp.mkdir(parents=True, exist_ok=True)
    return f"""{user}worker_processes 1;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 2048; }}
http {{
  log_format upstreams '$remote_addr $upstream_addr $status "$request"';
  access_log {workdir}/nginx-access.log upstreams;
  client_body_temp_path {temp}/body;
  proxy_temp_path {temp}/proxy;
  fastcgi_temp_path {temp}/fastcgi;
  uwsgi_temp_path {temp}/uwsgi;
  scgi_temp_path {temp}/scgi;
  client_max_body_size 1m;
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  upstream rasa {{
    hash $remote_addr consistent;
{upstream}
  }}
  server {{
    listen 127.0.0.1:{ports["nginx"]};
    location = /health {{ return 200 "ok\\n"; }}
    location /webhooks/ {{
      proxy_pass http://rasa;{PROXY}
    }}
    location /socket.io/ {{
      proxy_pass http://rasa;{PROXY}
    }}
    location /conversations/ {{
      proxy_pass http://rasa;{PROXY}
    }}
    location / {{
      proxy_pass http://127.0.0.1:{ports["web"]};{PROXY}
    }}
  }}
}}
"""
