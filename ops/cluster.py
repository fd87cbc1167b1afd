"""`make cluster`: the replicated set-up on one machine, with Debian's own packages.

PostgreSQL (a private instance), Redis, two action servers, two Rasa servers (each
with its own action server next to it, as on separate hosts) and nginx in front:
consistent-hash stickiness on the client address (the socket.io widget needs it;
not `ip_hash`, which puts every 127.0.0.x client on one server), WebSocket upgrade,
no buffering, and the web page through the same address. Prints the address; Ctrl-C
stops all of it; a Rasa or action server that dies is started again.

Everything listens on 127.0.0.1, on free ports, and lives under one folder
(var/cluster/ by default). The same pieces map onto separate hosts: see the README,
"Deploying beyond one machine".
"""

from __future__ import annotations

import glob
import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ops.environment import BIN, ROOT, actions_env, common_env, rasa_env, store_env
from ops.processes import NotReady, free_port, wait_until_ready

WORKDIR = ROOT / "var" / "cluster"
PG_ADMIN = "clinicadmin"  # superuser, reachable only through the instance's own socket
PG_USER = "rasa"


def pg_bin(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))[-1:]), None
    )
    if not found:
        raise SystemExit(f"error: {name} not found: apt-get install postgresql")
    return found


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Cluster:
    workdir: Path = WORKDIR
    model: Path = ROOT / "models" / "clinic-assistant.tar.gz"
    servers: int = 2
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    commands: dict[str, tuple[list[str], dict[str, str]]] = field(default_factory=dict)
    db_password: str = field(default_factory=lambda: secrets.token_hex(12))
    redis_password: str = field(default_factory=lambda: secrets.token_hex(12))
    api_token: str = field(default_factory=lambda: secrets.token_hex(12))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['nginx']}"

    def rasa_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[f'rasa{index}']}"

    @property
    def database_url(self) -> str:
        return f"postgresql://{PG_USER}:{self.db_password}@127.0.0.1:{self.ports['postgres']}/rasa"

    @property
    def redis_url(self) -> str:
        return f"redis://:{self.redis_password}@127.0.0.1:{self.ports['redis']}/0"

    # -- the parts -----------------------------------------------------------

    def start(self) -> Cluster:
        self.workdir.mkdir(parents=True, exist_ok=True)
        for name in ["postgres", "redis", "nginx", "web"] + [
            f"{kind}{i}" for i in range(self.servers) for kind in ("rasa", "actions")
        ]:
            self.ports.setdefault(name, free_port())
        self.start_postgres()
        self.start_redis()
        for index in range(self.servers):
            self.start_actions(index)
        for index in range(self.servers):
            self.start_rasa(index)
        self.start_web()
        self.start_nginx()
        return self

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def launch(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        env = env or common_env()
        self.commands[name] = (command, env)
        self.processes[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self.log(name).open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pg_data(self) -> Path:
        """The instance's folder. As root it runs as `postgres`, who must reach it: a
        folder of its own under /tmp, named after the cluster's folder."""
        if os.geteuid() != 0:
            return self.workdir / "postgres"
        digest = hashlib.sha256(str(self.workdir.resolve()).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"clinic-postgres-{digest}"

    def start_postgres(self) -> None:
        data = self.pg_data
        if not (data / "PG_VERSION").exists():
            data.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(data, "postgres")
            subprocess.run(
                as_postgres(
                    [
                        pg_bin("initdb"),
                        "-D",
                        str(data),
                        "-U",
                        PG_ADMIN,
                        "--auth-local=trust",
                        "--auth-host=scram-sha-256",
                        "-E",
                        "UTF8",
                    ]
                ),
                check=True,
                capture_output=True,
                timeout=120,
            )
        keep = self.workdir / "db-password"
        if keep.exists():
            self.db_password = keep.read_text().strip()
        keep.write_text(self.db_password)
        keep.chmod(0o600)
        self.launch("postgres", self.postgres_command())
        self.wait_for_postgres()
        self.create_database()

    def postgres_command(self) -> list[str]:
        data = self.pg_data
        return as_postgres(
            [
                pg_bin("postgres"),
                "-D",
                str(data),
                "-p",
                str(self.ports["postgres"]),
                "-k",
                str(data),
                "-c",
                "listen_addresses=127.0.0.1",
            ]
        )

    def wait_for_postgres(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.ports["postgres"])],
                capture_output=True,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.3)
        raise NotReady(f"PostgreSQL did not start; see {self.log('postgres')}")

    def psql(self, sql: str, database: str = "postgres") -> str:
        done = subprocess.run(
            as_postgres(
                [
                    pg_bin("psql"),
                    "-h",
                    str(self.pg_data),
                    "-p",
                    str(self.ports["postgres"]),
                    "-U",
                    PG_ADMIN,
                    "-d",
                    database,
                    "-tAc",
                    sql,
                ]
            ),
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql: {done.stderr.strip()}")
        return done.stdout.strip()

    def create_database(self) -> None:
        # PostgreSQL 15: ordinary users may not create tables in `public` of a database
        # they do not own, so the database is owned by the Rasa user.
        if not self.psql(f"SELECT 1 FROM pg_roles WHERE rolname = '{PG_USER}'"):
            self.psql(f"CREATE ROLE {PG_USER} LOGIN PASSWORD '{self.db_password}'")
        else:
            self.psql(f"ALTER ROLE {PG_USER} PASSWORD '{self.db_password}'")
        if not self.psql("SELECT 1 FROM pg_database WHERE datname = 'rasa'"):
            self.psql(f"CREATE DATABASE rasa OWNER {PG_USER}")

    def start_redis(self) -> None:
        if not shutil.which("redis-server"):
            raise SystemExit("error: redis-server not found: apt-get install redis-server")
        conf = self.workdir / "redis.conf"
        conf.write_text(
            f"port {self.ports['redis']}\nbind 127.0.0.1\nrequirepass {self.redis_password}\n"
            f'save ""\nappendonly no\ndir {self.workdir}\n'
        )
        conf.chmod(0o600)
        self.launch("redis", ["redis-server", str(conf)])
        wait_until_ready_tcp(self.ports["redis"], self.processes["redis"], "Redis")

    def start_actions(self, index: int) -> None:
        name = f"actions{index}"
        command = [str(BIN / "rasa"), "run", "actions", "--port", str(self.ports[name])]
        self.launch(name, command, actions_env())
        wait_until_ready(
            f"http://127.0.0.1:{self.ports[name]}/health",
            self.processes[name],
            name,
            self.log(name),
        )

    def rasa_command(self, index: int) -> tuple[list[str], dict[str, str]]:
        command = [
            str(BIN / "rasa"),
            "run",
            "--model",
            str(self.model),
            "--interface",
            "127.0.0.1",
            "--port",
            str(self.ports[f"rasa{index}"]),
            "--endpoints",
            str(ROOT / "endpoints.cluster.yml"),
            "--credentials",
            str(ROOT / "credentials.yml"),
            "--cors",
            self.url,
            "--enable-api",
            "--auth-token",
            self.api_token,
        ]
        env = {
            **rasa_env(),
            **store_env(self.database_url, self.redis_url),
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.ports[f'actions{index}']}/webhook",
            "TRACKER_SPOOL_DIR": str(self.workdir / f"spool{index}"),
            # a server killed mid-turn holds its conversation's lock this long (Rasa: 60 s)
            "TICKET_LOCK_LIFETIME": "20",
        }
        return command, env

    def start_rasa(self, index: int) -> None:
        name = f"rasa{index}"
        command, env = self.rasa_command(index)
        self.launch(name, command, env)
        wait_until_ready(
            f"{self.rasa_url(index)}/webhooks/health/", self.processes[name], name, self.log(name)
        )

    def start_web(self) -> None:
        command = [
            sys.executable,
            str(ROOT / "web" / "server.py"),
            "--port",
            str(self.ports["web"]),
            "--rasa-port",
            str(self.ports["nginx"]),
        ]
        env = {**common_env(), "RASA_PUBLIC_URL": self.url}
        self.launch("web", command, env)
        wait_until_ready(
            f"http://127.0.0.1:{self.ports['web']}/health",
            self.processes["web"],
            "web page",
            self.log("web"),
        )

    def start_nginx(self) -> None:
        from ops.nginx import nginx_conf

        conf = self.workdir / "nginx.conf"
        conf.write_text(nginx_conf(self.workdir, self.ports, self.servers))
        nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
        if not nginx:
            raise SystemExit("error: nginx not found: apt-get install nginx")
        self.launch("nginx", [nginx, "-c", str(conf), "-p", str(self.workdir)])
        wait_until_ready(f"{self.url}/health", self.processes["nginx"], "nginx", self.log("nginx"))

    # -- control --------------------------------------------------------------

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        self.processes[name].send_signal(sig)
        self.processes[name].wait(timeout=30)

    def restart(self, name: str) -> None:
        """Start a part again with the command it had."""
        if name == "postgres":
            self.launch(name, self.postgres_command())
            self.wait_for_postgres()
            return
        command, env = self.commands[name]
        self.launch(name, command, env)
        if name == "redis":
            wait_until_ready_tcp(self.ports["redis"], self.processes["redis"], "Redis")

    def stop_part(self, name: str) -> None:
        process = self.processes.get(name)
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop_part(name)

    def remove_data(self) -> None:
        """Delete the database and everything else of this cluster (tests)."""
        shutil.rmtree(self.pg_data, ignore_errors=True)
        shutil.rmtree(self.workdir, ignore_errors=True)


def wait_until_ready_tcp(
    port: int, process: subprocess.Popen, name: str, timeout_s: float = 30
) -> None:
    import socket

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise NotReady(f"{name} stopped while starting (exit code {process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise NotReady(f"{name} did not listen on port {port} within {timeout_s:.0f} s")


def main() -> int:
    cluster = Cluster()
    stopping = False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        print(
            "Starting PostgreSQL, Redis, two action servers, two Rasa servers, nginx...", flush=True
        )
        cluster.start()
        print(
            f"\nThe assistant is ready behind nginx.\n  Web page:  {cluster.url}/\n"
            f"  REST:      POST {cluster.url}/webhooks/rest/webhook\n"
            f"  Health:    {cluster.url}/webhooks/health/\n"
            f"  Logs:      {cluster.workdir}/*.log\nPress Ctrl-C to stop.",
            flush=True,
        )
        while not stopping:
            for name, process in list(cluster.processes.items()):
                if process.poll() is not None and not stopping and name != "nginx":
                    print(
                        f"{name} stopped (exit code {process.returncode}); starting it again.",
                        flush=True,
                    )
                    cluster.restart(name)
            time.sleep(1)
    except NotReady as error:
        print(f"error: {error}", flush=True)
        return 1
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
