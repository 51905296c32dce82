"""Ingest: load ► normalise ► chunk ► diff against the manifest ► embed what changed ► write."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from bot.knowledge_index import KnowledgeIndex
from bot.language import LanguageDetector
from bot.models import Chunk
from ingest.chunking import chunk_id, chunk_text
from ingest.loaders import SUPPORTED_SUFFIXES, Document, LoadError, load_document
from ingest.manifest import FileEntry, Manifest

EMBED_BATCH = 16
SKIPPED_DIRS = {"eval", ".git", "__pycache__"}
SKIPPED_FILES = {"README.md", "mentors.yaml"}


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    chunks: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def to_json(self) -> dict:
        """The `ingest --json` object (stable contract)."""
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "chunks": self.chunks,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
        }


def find_files(folders: list[Path]) -> Iterator[tuple[Path, str]]:
    """(file, display path) for every supported file below `folders`, in a stable order."""
    for folder in folders:
        root = folder.resolve()
        if not root.is_dir():
            raise FileNotFoundError(f"knowledge folder {folder} does not exist")
        base = root.parent
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if (
                path.is_file()
                and path.suffix.lower() in SUPPORTED_SUFFIXES
                and path.name not in SKIPPED_FILES
                and not any(part in SKIPPED_DIRS or part.startswith(".") for part in relative.parts)
            ):
                yield path, str(path.relative_to(base))


def to_chunks(document: Document, detector: LanguageDetector, max_words: int = 180) -> list[Chunk]:
    """Cut a document into chunks carrying its metadata."""
    meta = document.meta
    lang = str(meta.get("lang") or detector.detect(document.body[:3000]).language)
    return [
        Chunk(
            id=chunk_id(document.id, position, f"{document.title}\n{section}\n{text}"),
            text=text,
            doc_id=document.id,
            title=document.title,
            section=section,
            path=document.path,
            lang=lang,
            kind=str(meta.get("kind", "article")),
            country=str(meta.get("country", "both")),
            module=meta.get("module"),
            url=str(meta.get("url") or "") or None,
            valid_until=str(meta.get("valid_until") or ""),
        )
        for position, (section, text) in enumerate(chunk_text(document.body, max_words))
    ]


class Ingester:
    """Brings the index in line with the knowledge folders; only changed files are re-embedded."""

    def __init__(self, index: KnowledgeIndex, detector: LanguageDetector) -> None:
        self.index = index
        self.detector = detector

    def run(
        self, folders: list[Path], on_progress: Callable[[str, int, int], None] | None = None
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        manifest = Manifest.load(self.index.manifest_path)
        files = list(find_files(folders))
        changed = not self.index.lexical_is_current()
        try:
            changed |= self._ingest_files(files, manifest, report, on_progress)
        finally:
            manifest.save()  # also when interrupted: the files done so far need no work next time
        for name in sorted(set(manifest.files) - {name for _, name in files}):
            self.index.vectors.delete(manifest.files.pop(name).chunk_ids)
            report.removed += 1
            changed = True
        if report.removed:
            manifest.save()
        changed |= self._remove_orphans(manifest)
        if changed:
            report.chunks = len(self.index.rebuild_lexical())
        else:
            report.chunks = self.index.vectors.count()
        report.seconds = time.perf_counter() - started
        return report

    def _ingest_files(
        self,
        files: list[tuple[Path, str]],
        manifest: Manifest,
        report: IngestReport,
        on_progress: Callable[[str, int, int], None] | None,
    ) -> bool:
        """Index every file; a file that cannot be read is reported and skipped. True when anything changed."""
        changed = False
        for position, (path, name) in enumerate(files, start=1):
            if on_progress:
                on_progress(name, position, len(files))
            try:
                status = self._ingest_file(path, name, manifest)
            except (LoadError, OSError) as exc:
                report.errors.append({"path": name, "error": str(exc)})
                continue
            setattr(report, status, getattr(report, status) + 1)
            changed |= status != "unchanged"
        return changed

    def _ingest_file(self, path: Path, name: str, manifest: Manifest) -> str:
        """Index one file; returns 'added', 'updated' or 'unchanged'. The old version stays until the new one is in."""
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        previous = manifest.files.get(name)
        if previous and previous.sha256 == digest:
            return "unchanged"
        document = load_document(path, name)
        owner = manifest.owner_of(document.id)
        if owner not in (None, name):
            raise LoadError(f"id {document.id!r} is already used by {owner}; give this file its own id")
        chunks = to_chunks(document, self.detector)
        existing = self.index.vectors.existing_ids([c.id for c in chunks])
        new = [c for c in chunks if c.id not in existing]
        for start in range(0, len(new), EMBED_BATCH):
            batch = new[start : start + EMBED_BATCH]
            self.index.vectors.add(batch, self.index.embedder.embed_passages([c.search_text for c in batch]))
        keep = {c.id for c in chunks}
        if previous:
            self.index.vectors.delete([i for i in previous.chunk_ids if i not in keep])
        manifest.files[name] = FileEntry(digest, document.id, [c.id for c in chunks])
        manifest.save_if_due()
        return "updated" if previous else "added"

    def _remove_orphans(self, manifest: Manifest) -> bool:
        """Delete chunks no manifest entry owns (left by an ingest that was interrupted mid-file)."""
        orphans = self.index.vectors.all_ids() - manifest.all_chunk_ids()
        self.index.vectors.delete(sorted(orphans))
        return bool(orphans)
