"""The current snapshot of a knowledge index, kept in step with the content version recorded in the database.

Chroma and the database hold the truth; a snapshot is a cache. Every process polls the content version (one small
query a second) and, when an ingest anywhere has changed it, loads or rebuilds the snapshot and swaps it in."""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from bot.knowledge_index import KnowledgeIndex
from bot.snapshot import IndexSnapshot

log = logging.getLogger(__name__)


class ContentVersions(Protocol):
    """Where the content version of each collection is kept (the database; see `bot.records`)."""

    def content_version(self, collection: str) -> int: ...

    def bump_content_version(self, collection: str) -> int: ...


class FixedSnapshot:
    """A snapshot that never changes (evaluation corpora, tests)."""

    def __init__(self, snapshot: IndexSnapshot) -> None:
        self._snapshot = snapshot

    def current(self) -> IndexSnapshot:
        return self._snapshot


class LiveIndex:
    """Holds the current snapshot; `refresh` swaps in a newer one with a single assignment."""

    def __init__(self, index: KnowledgeIndex, versions: ContentVersions, poll_s: float = 1.0) -> None:
        self.index = index
        self.versions = versions
        self.poll_s = poll_s
        self._snapshot = IndexSnapshot.empty()
        self._refresh_lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self.last_error: str | None = None

    def current(self) -> IndexSnapshot:
        """The snapshot to read for one whole query."""
        return self._snapshot

    def refresh(self, force: bool = False) -> bool:
        """Load the snapshot of the current content version when it differs from the one held; True if swapped."""
        with self._refresh_lock:
            version = self.versions.content_version(self.index.collection)
            if not force and version == self._snapshot.version and self._snapshot.size:
                return False
            snapshot = self.index.load_snapshot(version)
            if not force and snapshot.version == self._snapshot.version and snapshot.digest == self._snapshot.digest:
                return False
            self._snapshot = snapshot
            log.info("content version %d loaded (%d chunks)", snapshot.version, snapshot.size)
            return True

    def watch(self) -> None:
        """Poll the content version in a background thread until `stop`."""
        if self._watcher is None:
            self._watcher = threading.Thread(target=self._poll, name="veiviser-index-watch", daemon=True)
            self._watcher.start()

    def stop(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None

    def _poll(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self.refresh()
                self.last_error = None
            except Exception as exc:  # noqa: BLE001 - a database or Chroma outage: keep the old snapshot, retry
                if self.last_error != str(exc):
                    log.warning("could not check the content version (%s); answering from the loaded snapshot", exc)
                self.last_error = str(exc)
