"""What the Content and Freshness pages show: every ingested source with its metadata, files not ingested (yet),
how a file is chunked, and content that is expired, expiring or not updated for long."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.language import LanguageDetector
from bot.models import Chunk
from bot.snapshot import IndexSnapshot
from ingest.loaders import LoadError, load_document
from ingest.manifest import Manifest
from ingest.pipeline import find_files, to_chunks

EXPIRING_DAYS = 30


@dataclass
class SourceRow:
    doc_id: str
    title: str
    kind: str
    lang: str
    country: str
    module: int | None
    chunks: int
    path: str  # as ingest names it: relative to the knowledge folder's parent
    relative: str | None  # inside the upload folder (KNOWLEDGE_DIRS[0]), for delete and preview; None elsewhere
    ingested_at: dt.datetime | None
    valid_until: str
    validity: str  # "valid" | "expiring" | "expired"


def upload_root(folders: list[Path]) -> Path:
    """Uploads go to, and the staff API's paths are relative to, the first knowledge folder."""
    return Path(folders[0]).resolve()


def in_upload_root(folders: list[Path], display: str) -> str | None:
    """The path inside the upload folder of an ingest display path, or None when it is in another folder."""
    root = upload_root(folders)
    head, _, rest = display.partition("/")
    return rest if head == root.name and rest else None


def validity(valid_until: str, today: dt.date) -> str:
    if not valid_until:
        return "valid"
    if valid_until < today.isoformat():
        return "expired"
    return "expiring" if valid_until <= (today + dt.timedelta(days=EXPIRING_DAYS)).isoformat() else "valid"


def sources(snapshot: IndexSnapshot, manifest: Manifest, folders: list[Path], today: dt.date) -> list[SourceRow]:
    """One row per ingested document, by path."""
    counts = Counter(c.doc_id for c in snapshot.chunks.values())
    rows = []
    for doc_id, first in snapshot.documents.items():
        entry = manifest.files.get(first.path)
        ingested = dt.datetime.fromtimestamp(entry.ingested_at, dt.timezone.utc) if entry and entry.ingested_at else None
        rows.append(SourceRow(doc_id, first.title, first.kind, first.lang, first.country, first.module, counts[doc_id],
                              first.path, in_upload_root(folders, first.path), ingested, first.valid_until,
                              validity(first.valid_until, today)))
    return sorted(rows, key=lambda r: r.path)


def not_ingested(folders: list[Path], manifest: Manifest) -> list[str]:
    """Files in the knowledge folders that the last ingest did not index (new, or refused)."""
    return [name for _, name in find_files(list(folders)) if name not in manifest.files]


def preview(path: Path, display: str, detector: LanguageDetector) -> tuple[dict, list[Chunk]]:
    """How ingest would read and cut one file: its front matter and its chunks (`LoadError` when it cannot)."""
    document = load_document(path, display)
    return document.meta, to_chunks(document, detector)


@dataclass
class Freshness:
    expired: list[tuple[SourceRow, str]]  # with valid_until
    expiring: list[tuple[SourceRow, str]]
    stale: list[tuple[SourceRow, dt.date]]  # with the date it was last updated


def freshness(rows: list[SourceRow], folders: list[Path], today: dt.date, stale_after_days: int) -> Freshness:
    """Expired content (already left out of answers), content expiring within 30 days, and content whose
    front-matter `updated` date (else the file's modification date) is older than `stale_after_days`."""
    cutoff = today - dt.timedelta(days=stale_after_days)
    stale = []
    for row in rows:
        updated = _updated(row, folders)
        if updated is not None and updated < cutoff:
            stale.append((row, updated))
    return Freshness([(r, r.valid_until) for r in rows if r.validity == "expired"],
                     [(r, r.valid_until) for r in rows if r.validity == "expiring"], sorted(stale, key=lambda p: p[1]))


def _updated(row: SourceRow, folders: list[Path]) -> dt.date | None:
    path = next((Path(f).resolve().parent / row.path for f in folders
                 if row.path.startswith(Path(f).resolve().name + "/")), None)
    if path is None or not path.is_file():
        return None
    if path.suffix.lower() in (".md", ".markdown"):
        try:
            value = load_document(path, row.path).meta.get("updated")
            if value:
                return dt.date.fromisoformat(str(value)[:10])
        except (LoadError, ValueError, OSError):
            pass
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).date()
