"""Are the parts that hold the truth reachable? The store (Chroma), the database and, when configured, the LLM.

A background thread checks each part every `poll_s` seconds with a short timeout and keeps its state; questions
read that state instead of waiting on a dead connection, so while the Chroma server or the database is down every
channel answers at once with a short "temporarily unavailable", and answers again within a poll of its return,
without a restart. `/readyz` reports the same states."""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

import httpx

log = logging.getLogger(__name__)
CHECK_TIMEOUT_S = 2.0
OK = "ok"
# Parts an answer cannot do without; the LLM is not one: without it answers fall back to extractive.
REQUIRED = ("store", "database")

Check = Callable[[], str]  # returns "ok", or raises / returns a short reason


class HttpCheck:
    """GET one URL with a bounded timeout and judge its status code. The client is made once: making one loads the
    CA bundle for TLS (about 10 ms of CPU), which every poll paid before."""

    def __init__(self, url: str, judge: Callable[[int], str], headers: dict | None = None,
                 timeout_s: float = CHECK_TIMEOUT_S) -> None:
        self.url, self.judge = url, judge
        self.client = httpx.Client(headers=headers or {}, timeout=timeout_s)

    def __call__(self) -> str:
        return self.judge(self.client.get(self.url).status_code)

    def close(self) -> None:
        self.client.close()


def chroma_server_check(host: str, port: int, timeout_s: float = CHECK_TIMEOUT_S) -> HttpCheck:
    """The Chroma server's heartbeat, with a bounded timeout (its own client waits forever)."""
    return HttpCheck(f"http://{host}:{port}/api/v2/heartbeat",
                     lambda status: OK if status == 200 else f"down: HTTP {status}", timeout_s=timeout_s)


def llm_check(base_url: str, api_key: str, timeout_s: float = CHECK_TIMEOUT_S) -> HttpCheck:
    """An OpenAI-compatible endpoint answers `GET {base}/models`; 401/403 means it is reachable but refuses the key."""

    def judge(status: int) -> str:
        if status < 400 or status == 404:  # 404: reachable, the server just lists no models there
            return OK
        return "down: the API key is refused" if status in (401, 403) else f"down: HTTP {status}"
    return HttpCheck(base_url.rstrip("/") + "/models", judge,
                     {"Authorization": f"Bearer {api_key}"} if api_key else None, timeout_s)


def run_check(check: Check) -> str:
    try:
        return check()
    except Exception as exc:  # noqa: BLE001 - any failure is a state to report, with its type only (no secrets)
        return f"down: {exc.__class__.__name__}"


class DependencyMonitor:
    """Keeps the state of each named part, checked every `poll_s` seconds in a background thread."""

    def __init__(self, checks: dict[str, Check], poll_s: float = 1.0) -> None:
        self.checks = checks
        self.poll_s = poll_s
        self.states: dict[str, str] = {name: OK for name in checks}
        self._since: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check_now(self, names: tuple[str, ...] | None = None) -> dict[str, str]:
        """Check the named parts (all by default) now; the states change only here. Returns every state."""
        for name, check in self.checks.items():
            if names is not None and name not in names:
                continue
            state = run_check(check)
            before = self.states.get(name, OK)
            if state != OK and before == OK:
                self._since[name] = time.monotonic()
                log.warning("%s is down (%s); questions get 'temporarily unavailable' until it is back", name, state)
            elif state == OK and before != OK:
                down_s = time.monotonic() - self._since.pop(name, time.monotonic())
                log.warning("%s is back after %.1f s", name, down_s)
            self.states[name] = state
        return dict(self.states)

    def down(self) -> str | None:
        """The first required part that is down, or None when answers can be given."""
        return next((name for name in REQUIRED if self.states.get(name, OK) != OK), None)

    def start(self) -> "DependencyMonitor":
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="veiviser-health", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for check in self.checks.values():
            if isinstance(check, HttpCheck):
                check.close()

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            self.check_now(REQUIRED)  # the LLM only when /readyz asks: no calls to a paid API every second


class AlwaysUp:
    """No monitoring (the CLI, tests that build their own runtime): every part counts as up."""

    states: dict[str, str] = {}

    def down(self) -> None:
        return None

    def check_now(self, names: tuple[str, ...] | None = None) -> dict[str, str]:
        return {}

    def start(self) -> "AlwaysUp":
        return self

    def stop(self) -> None:
        pass
