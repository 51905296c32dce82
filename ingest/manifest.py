"""The ingest manifest: which file had which content hash and produced which chunks."""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass
class FileEntry:
    sha256: str
    doc_id: str
    chunk_ids: list[str]
    ingested_at: float = 0.0  # when this version of the file was indexed (epoch seconds; 0 = before this was kept)


@dataclass
class Manifest:
    """Saved atomically every few seconds and when an ingest ends or is interrupted, so the next run resumes
    where it stopped (chunks of a file written after the last save are found again by id, not re-embedded)."""

    path: Path
    files: dict[str, FileEntry] = field(default_factory=dict)
    save_interval_s: float = 2.0
    _saved_at: float = field(default=0.0, repr=False)

    @classmethod
    def load(cls, path: Path) -> "Manifest":
        """The saved manifest; a missing or damaged one is empty (the store is then checked file by file)."""
        try:
            data = json.loads(path.read_text("utf-8"))
            return cls(path, {name: FileEntry(**entry) for name, entry in data.get("files", {}).items()})
        except FileNotFoundError:
            return cls(path)
        except (ValueError, TypeError, AttributeError) as exc:
            log.warning("the ingest manifest %s is damaged (%s); checking every file against the store", path, exc)
            return cls(path)

    def drop_incomplete(self, stored_ids: set[str]) -> int:
        """Forget files whose chunks are not all in the store, so they are indexed again; returns how many."""
        incomplete = [name for name, entry in self.files.items() if not set(entry.chunk_ids) <= stored_ids]
        for name in incomplete:
            del self.files[name]
        return len(incomplete)

    def save_if_due(self) -> None:
        """Save when the last save is older than `save_interval_s` (a save rewrites the whole manifest)."""
        if time.monotonic() - self._saved_at >= self.save_interval_s:
            self.save()

    def save(self) -> None:
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        payload = {"version": 1, "files": {name: asdict(entry) for name, entry in sorted(self.files.items())}}
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=0), "utf-8")
        os.replace(tmp, self.path)
        self._saved_at = time.monotonic()

    def all_chunk_ids(self) -> set[str]:
        return {chunk_id for entry in self.files.values() for chunk_id in entry.chunk_ids}

    def owner_of(self, doc_id: str, ignore: set[str] = frozenset()) -> str | None:
        """The file that already uses front-matter id `doc_id`, if any (files in `ignore` do not count)."""
        return next(
            (name for name, entry in self.files.items() if entry.doc_id == doc_id and name not in ignore), None
        )
