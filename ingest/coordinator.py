"""One ingest at a time: within a process (a lock) and, on a shared Chroma server, across processes and hosts
(a lease in the database, renewed while the ingest runs, so a killed holder's lease runs out by itself)."""

from __future__ import annotations

import logging
import os
import socket
import threading
from pathlib import Path
from typing import Callable, Protocol

from ingest.pipeline import Ingester, IngestReport

log = logging.getLogger(__name__)
LEASE_TTL_S = 60.0


class IngestBusy(RuntimeError):
    """Another ingest is running."""


class Leases(Protocol):
    def acquire_lease(self, name: str, holder: str, ttl_s: float) -> bool: ...

    def release_lease(self, name: str, holder: str) -> None: ...


class IngestCoordinator:
    """Runs `ingester` over `folders`, refusing a second run while one is going (`IngestBusy`)."""

    def __init__(
        self,
        ingester: Ingester,
        folders: list[Path],
        leases: Leases | None,
        on_done: Callable[[IngestReport], None] | None = None,
    ) -> None:
        self.ingester = ingester
        self.folders = folders
        self.leases = leases  # None: this process is the store's only writer (an embedded store it has locked)
        self.on_done = on_done
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self._lease = f"ingest:{ingester.index.collection}"
        self._running = threading.Lock()
        # Called with (report, trigger) after every run, once the next run may start (e.g. the staff summary).
        self.listeners: list[Callable[[IngestReport, str], None]] = []

    @property
    def running(self) -> bool:
        return self._running.locked()

    def run(self, on_progress: Callable[[str, int, int], None] | None = None, trigger: str = "") -> IngestReport:
        """Ingest once; `trigger` says who asked (web, api, slack, watch, cli) for the listeners."""
        report = self._run(on_progress)
        for listener in list(self.listeners):
            try:
                listener(report, trigger)
            except Exception:  # noqa: BLE001 - a listener (a Slack post) must not turn a done ingest into an error
                log.exception("an ingest listener failed")
        return report

    def _run(self, on_progress: Callable[[str, int, int], None] | None) -> IngestReport:
        if not self._running.acquire(blocking=False):
            raise IngestBusy("An ingest is already running; wait for it to finish and try again.")
        stop = threading.Event()
        try:
            if self.leases is not None:
                if not self.leases.acquire_lease(self._lease, self.holder, LEASE_TTL_S) and not self._take_over():
                    raise IngestBusy("Another process is ingesting into this store; wait for it and try again.")
                threading.Thread(target=self._renew, args=(stop,), daemon=True, name="veiviser-lease").start()
            report = self.ingester.run(self.folders, on_progress)
            if self.on_done is not None:
                self.on_done(report)
            return report
        finally:
            stop.set()
            if self.leases is not None:
                self.leases.release_lease(self._lease, self.holder)
            self._running.release()

    def _take_over(self) -> bool:
        """Take the lease of an ingest on this host whose process is gone (killed, even by `kill -9`), instead of
        waiting for its lease to run out."""
        holder = getattr(self.leases, "lease_holder", lambda name: None)(self._lease)
        host, _, pid = (holder or "").rpartition(":")
        if host != socket.gethostname() or not pid.isdigit() or _alive(int(pid)):
            return False
        return self.leases.take_over_lease(self._lease, holder, self.holder, LEASE_TTL_S)

    def _renew(self, stop: threading.Event) -> None:
        while not stop.wait(LEASE_TTL_S / 3):
            self.leases.acquire_lease(self._lease, self.holder, LEASE_TTL_S)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
