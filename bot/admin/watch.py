"""The watched knowledge folders (WATCH_KNOWLEDGE): a saved, added or deleted file starts a re-ingest once the
folder has been quiet for WATCH_DEBOUNCE_S. Changes made while an ingest runs are collected and ingested next; an
ingest started elsewhere (the admin page, the API) is waited for. Answering goes on from the old content meanwhile."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Awaitable, Callable

from watchfiles import DefaultFilter, awatch

from ingest.coordinator import IngestBusy
from ingest.loaders import SUPPORTED_SUFFIXES

log = logging.getLogger(__name__)
BUSY_RETRY_S = 1.0


class KnowledgeFilter(DefaultFilter):
    """Only visible files of the types ingest reads (not editors' swap files, not hidden upload files)."""

    def __call__(self, change, path: str) -> bool:  # noqa: ANN001 - a watchfiles.Change
        name = Path(path).name
        if name.startswith(".") or any(part.startswith(".") for part in Path(path).parts[-4:-1]):
            return False
        return super().__call__(change, path) and (Path(path).suffix.lower() in SUPPORTED_SUFFIXES or "." not in name)


async def watch_folders(folders: list[Path], reingest: Callable[[], Awaitable[object]], debounce_s: float,
                        stop: asyncio.Event) -> None:
    """Re-ingest after each quiet batch of changes until `stop` is set."""
    existing = [str(f) for f in folders if Path(f).is_dir()]
    if not existing:
        log.warning("WATCH_KNOWLEDGE: none of the knowledge folders exists; nothing is watched")
        return
    log.info("watching %s for changes", ", ".join(existing))
    async for changes in awatch(*existing, watch_filter=KnowledgeFilter(), debounce=int(debounce_s * 1000),
                                step=50, stop_event=stop, recursive=True):
        log.info("%d changes in the knowledge folders; re-ingesting", len(changes))
        while not stop.is_set():
            try:
                await reingest()
                break
            except IngestBusy:
                await asyncio.sleep(BUSY_RETRY_S)
            except Exception:  # noqa: BLE001 - keep watching; the next change tries again
                log.exception("re-ingest after a change in the knowledge folders failed")
                break
