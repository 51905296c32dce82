"""One writer per embedded store: an advisory file lock that the process writing an embedded Chroma store holds.

Chroma's embedded store does not support two processes writing one folder. `veiviser serve` holds this lock for
its lifetime (and ingests through `POST /admin/api/reingest`); `veiviser ingest` takes it for the run. The kernel
releases it when the holder dies, even by `kill -9`, so a crashed process never leaves a stale lock behind."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path


class StoreBusy(RuntimeError):
    """Another process holds the store; the message says who and what to do."""


class StoreLock:
    """Exclusive lock on `<store>/writer.lock`; `holder` describes this process for the message others get."""

    def __init__(self, store_dir: Path) -> None:
        self.path = store_dir / "writer.lock"
        self._handle = None

    def acquire(self, holder: dict) -> None:
        """Take the lock or raise `StoreBusy` naming the process that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            other = _parse(handle.read())
            handle.close()
            raise StoreBusy(busy_message(self.path.parent, other)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), **holder}))
        handle.flush()
        self._handle = handle

    def holder(self) -> dict | None:
        """Who holds the lock now (None when nobody does)."""
        if not self.path.exists():
            return None
        with open(self.path, "a+", encoding="utf-8") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                return _parse(handle.read())
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return None

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def __enter__(self) -> "StoreLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _parse(text: str) -> dict:
    try:
        return json.loads(text) if text.strip() else {}
    except ValueError:
        return {}


def busy_message(store: Path, other: dict) -> str:
    who = f"{other.get('role', 'another Veiviser process')} (pid {other.get('pid', '?')})"
    if other.get("role") == "serve":
        url = other.get("url") or "http://HOST:PORT"
        return (
            f"The store {store} is held by a running Veiviser service, {who}. Re-ingest through it: "
            f"`veiviser ingest --server {url}` (with ADMIN_TOKEN set), or stop the service first."
        )
    return f"The store {store} is in use by {who}. Wait until it has finished, then try again."
