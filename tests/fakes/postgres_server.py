"""A real, throwaway PostgreSQL server for the test session, from Debian's package binaries.

The server lives in a temporary folder: data directory, unix sockets and log. It listens on 127.0.0.1 only,
on a free port, with trust authentication and no fsync (fast, and nothing here must survive a crash).
PostgreSQL refuses to run as root, so under root its binaries run as the `postgres` system user (created
when missing); as a normal user they run as that user. Each test gets its own database
(`create_database`). `scripts/test-services.sh` installs the package on a fresh machine.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

SERVICE_USER = "postgres"
START_ATTEMPTS = 3
SERVER_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
    " -c shared_buffers=32MB -c log_min_messages=warning"
)


class PostgresUnavailable(RuntimeError):
    """The server could not be set up or started; the message carries the reason and the server's log."""


def find_bindir() -> Path:
    """The bin folder of the highest installed PostgreSQL version (Debian: /usr/lib/postgresql/<v>/bin)."""
    candidates = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    candidates.sort(key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    if candidates:
        return candidates[-1]
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise PostgresUnavailable(
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb). Run `bash scripts/test-services.sh` "
        "as root, or `sudo apt-get install postgresql`."
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """One running server; `url(name)` gives a SQLAlchemy URL for a database on it."""

    def __init__(self, bindir: Path, root: Path, as_user: list[str]) -> None:
        self.bindir, self.root, self._as_user = bindir, root, as_user
        self.data, self.log = root / "data", root / "postgres.log"
        self.port = 0

    # lifecycle ---------------------------------------------------------------------------------------------

    @classmethod
    def start(cls) -> "PostgresServer":
        bindir = find_bindir()
        root = Path(tempfile.mkdtemp(prefix="veiviser-pg-"))
        as_user: list[str] = []
        if os.geteuid() == 0:
            _ensure_service_user()
            account = pwd.getpwnam(SERVICE_USER)
            os.chown(root, account.pw_uid, account.pw_gid)
            as_user = ["runuser", "-u", SERVICE_USER, "--"]
        server = cls(bindir, root, as_user)
        try:
            server._initdb()
            server._start()
        except BaseException:
            server.stop()
            raise
        return server

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self._as_user, *args], cwd=self.root, capture_output=True, text=True, timeout=timeout,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
        )

    def _initdb(self) -> None:
        done = self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync", "--no-instructions",
        )
        if done.returncode != 0:
            raise PostgresUnavailable(f"initdb failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    def _start(self) -> None:
        for _attempt in range(START_ATTEMPTS):
            self.port = _free_port()
            options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} {SERVER_OPTIONS}"
            done = self._run(
                str(self.bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data), "-l", str(self.log),
                "-o", options, timeout=90,
            )
            if done.returncode == 0:
                return
            if "could not bind" not in self.server_log():  # another process took the port: try another one
                break
        raise PostgresUnavailable(
            f"PostgreSQL did not start ({done.returncode}):\n{done.stdout}\n{done.stderr}\n"
            f"--- server log {self.log} ---\n{self.server_log()}"
        )

    def stop(self) -> None:
        """Stop the server (immediately: nothing needs to be kept) and delete its folder."""
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate", "-w")
        shutil.rmtree(self.root, ignore_errors=True)

    def pause(self) -> None:
        """Stop the server as an outage would (connections cut), keeping its data and port for `resume`."""
        done = self._run(str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast", "-w")
        if done.returncode != 0:
            raise PostgresUnavailable(f"pg_ctl stop failed: {done.stdout}\n{done.stderr}")

    def resume(self) -> None:
        """Start the paused server again on the same port, with the same data."""
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} {SERVER_OPTIONS}"
        done = self._run(str(self.bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data), "-l",
                         str(self.log), "-o", options, timeout=90)
        if done.returncode != 0:
            raise PostgresUnavailable(f"PostgreSQL did not start again: {done.stderr}\n{self.server_log()}")

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-10000:]
        except OSError:
            return "(no server log)"

    # databases -----------------------------------------------------------------------------------------------

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True)

    def create_database(self, template: str | None = None) -> str:
        """A new database, empty or a copy of `template`; returns its name (t_<uuid hex>)."""
        name = f"t_{uuid.uuid4().hex}"
        with self._admin() as admin:
            # FILE_COPY (PostgreSQL 15+) copies the template's files instead of WAL-logging every block: ~10x faster
            options = " STRATEGY = FILE_COPY" if admin.info.server_version >= 150000 else ""
            options += f' TEMPLATE "{template}"' if template else ""
            for attempt in range(50):
                try:
                    admin.execute(f'CREATE DATABASE "{name}"{options}')
                    break
                except psycopg.errors.ObjectInUse:  # the template's last session is still ending
                    if attempt == 49:
                        raise
                    time.sleep(0.05)
        return name

    def drop_database(self, name: str) -> None:
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _ensure_service_user() -> None:
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        done = subprocess.run(
            ["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            raise PostgresUnavailable(f"could not create the {SERVICE_USER} user: {done.stderr}") from None
