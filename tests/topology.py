"""The production topology on loopback, without containers: a PostgreSQL server, `chroma run` on a port, and
`veiviser serve` processes sharing them, with the fake Telegram and Slack APIs as the platforms. Used by
tests/e2e/test_topology.py and by the soak run of `make bench` (benchmarks/soak.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.fakes.slack_api import FakeSlack
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers import free_port, wait_for_http
from tests.platform_requests import slack_signed_headers, telegram_headers

VENV_BIN = Path(sys.executable).parent
ADMIN_TOKEN = "topology-admin-token"
TELEGRAM_TOKEN = "123456:TOPOLOGY-token"
TELEGRAM_SECRET = "topology-webhook-secret"
SLACK_TOKEN = "xoxb-topology"
SLACK_SECRET = "topology-signing-secret"


class ChromaServer:
    """`chroma run` on a loopback port over a data folder; `stop` and `start` again keep both."""

    def __init__(self, data: Path, log: Path) -> None:
        self.data, self.log, self.port = data, log, free_port()
        self.process: subprocess.Popen | None = None

    @property
    def heartbeat(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v2/heartbeat"

    def start(self, seconds: float = 90) -> "ChromaServer":
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(VENV_BIN / "chroma"), "run", "--path", str(self.data), "--host", "127.0.0.1", "--port",
                 str(self.port)], env=os.environ | {"ANONYMIZED_TELEMETRY": "False"}, stdout=log, stderr=log)
        wait_for_http(self.heartbeat, self.process, seconds, "the Chroma server")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


@dataclass
class Serve:
    """One `veiviser serve` process with its own store folder (its snapshot cache) and log file."""

    name: str
    store: Path
    env: dict
    port: int = field(default_factory=free_port)
    args: tuple[str, ...] = ()  # more `serve` options, e.g. ("--workers", "2")
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.store.parent / f"{self.name}.log"

    def start(self) -> "Serve":
        self.store.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--store", str(self.store), *self.args], env=self.env, cwd=self.store.parent, stdout=log, stderr=log)
        return self

    def wait_ready(self, seconds: float = 180) -> None:
        try:
            wait_for_http(f"{self.url}/healthz", self.process, seconds, f"veiviser serve {self.name}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- log of {self.name} ---\n{self.log.read_text(errors='replace')[-4000:]}")

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill9(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.alive:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far, user and system (all its threads)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        """Resident memory now (VmRSS)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return round(next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")) / 1024, 1)


class Topology:
    """PostgreSQL (a database on a running server), a Chroma server and `serve` processes on one knowledge folder."""

    def __init__(self, root: Path, postgres, knowledge: Path, mentors: Path, serves: int = 2,  # noqa: ANN001
                 extra_env: dict | None = None) -> None:
        self.root, self.postgres, self.knowledge = root, postgres, knowledge
        self.database = postgres.create_database()
        self.database_url = postgres.url(self.database)
        self.chroma = ChromaServer(root / "chroma-data", root / "chroma.log")
        self.telegram = FakeTelegram().start()
        self.slack = FakeSlack().start()
        self.env = os.environ | {
            "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(self.chroma.port), "DATABASE_URL": self.database_url,
            "KNOWLEDGE_DIRS": json.dumps([str(knowledge)]), "MENTORS_FILE": str(mentors), "LLM": "",
            "ADMIN_TOKEN": ADMIN_TOKEN, "RATE_LIMIT_PER_MINUTE": "0", "CONTENT_POLL_S": "0.5", "HEALTH_POLL_S": "0.5",
            "LOG_FORMAT": "json", "ANSWER_WORKERS": "4",
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE_URL": self.telegram.base_url, "TELEGRAM_WEBHOOK_URL": "",
            "TELEGRAM_MESSAGES_PER_S": "1000",
            "SLACK_BOT_TOKEN": SLACK_TOKEN, "SLACK_SIGNING_SECRET": SLACK_SECRET,
            "SLACK_API_BASE_URL": self.slack.base_url,
        } | (extra_env or {})
        self.serves = [Serve(chr(ord("a") + i), root / f"serve-{chr(ord('a') + i)}" / "store", self.env)
                       for i in range(serves)]

    def start(self, ingest_first: bool = False) -> "Topology":
        """Start the Chroma server, then (with `ingest_first`) ingest the knowledge folder, then the serves."""
        self.chroma.start()
        self.first_ingest = self.ingest_cli() if ingest_first else None
        for serve in self.serves:
            serve.start()
        for serve in self.serves:
            serve.wait_ready()
        return self

    def ingest(self, serve: Serve | None = None) -> dict:
        """Re-ingest through one serve process (the staff API); returns the report."""
        response = httpx.post(f"{(serve or self.serves[0]).url}/admin/api/reingest", timeout=600,
                              headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        response.raise_for_status()
        return response.json()

    def ingest_cli(self) -> dict:
        """`veiviser ingest --json` in its own process (full embedding batches, every core), as an operator would."""
        env = self.env | {"VEIVISER_STORE": str(self.root / "ingest-store")}
        done = subprocess.run([sys.executable, "-m", "bot.cli", "ingest", "--json"], env=env, cwd=self.root,
                              capture_output=True, text=True, timeout=3600)
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout)

    def ensure_running(self) -> None:
        """Start again what an earlier test killed or stopped."""
        if self.chroma.process is None:
            self.chroma.start()
        dead = [serve for serve in self.serves if not serve.alive]
        for serve in dead:
            serve.start()
        for serve in dead:
            serve.wait_ready()

    def stop(self) -> None:
        for serve in self.serves:
            serve.stop()
        self.chroma.stop()
        self.telegram.stop()
        self.slack.stop()
        self.postgres.drop_database(self.database)


# --- platform requests ------------------------------------------------------------------------------------------------

def post_telegram(client: httpx.Client, serve: Serve, update: dict) -> int:
    return client.post(f"{serve.url}/telegram/webhook", json=update,
                       headers=telegram_headers(TELEGRAM_SECRET)).status_code


def post_slack(client: httpx.Client, serve: Serve, body: str) -> int:
    return client.post(f"{serve.url}/slack/events", content=body,
                       headers=slack_signed_headers(SLACK_SECRET, body)).status_code
