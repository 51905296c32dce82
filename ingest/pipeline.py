"""Ingest: load ► normalise ► chunk ► diff against the manifest ► embed what changed ► write."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from bot.knowledge_index import KnowledgeIndex
from bot.live_index import ContentVersions
from bot.language import LanguageDetector
from bot.models import Chunk
from bot.organisations import OrganisationFileError, load_organisations
from ingest.chunking import chunk_id, chunk_text
from ingest.loaders import SUPPORTED_SUFFIXES, Document, LoadError, load_document
from ingest.manifest import FileEntry, Manifest

log = logging.getLogger(__name__)
EMBED_BATCH = 32
SKIPPED_DIRS = {"eval", ".git", "__pycache__"}
SKIPPED_FILES = {"README.md", "mentors.yaml", "organisations.yaml"}
DIRECTORY_FILE = "organisations.yaml"  # the support organisations: not indexed, but checked at every ingest


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


def find_files(folders: list[Path], errors: list[dict[str, str]] | None = None) -> Iterator[tuple[Path, str]]:
    """(file, display path) for every supported file below `folders`, in a stable order.

    Symbolic links are checked, never followed blindly: a link to a file inside the same knowledge folder is read;
    a link that leads outside it, to a folder, in a loop, or nowhere is refused and listed in `errors`."""
    for folder in folders:
        root = folder.resolve()
        if not root.is_dir():
            raise FileNotFoundError(f"knowledge folder {folder} does not exist")
        base = root.parent
        for directory, subdirs, names in os.walk(root, followlinks=False):
            here = Path(directory)
            subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS and not d.startswith("."))
            for entry in [here / d for d in subdirs if (here / d).is_symlink()]:
                _refuse(errors, entry, base, "is a link to a folder; links to folders are not followed")
                subdirs.remove(entry.name)
            for name in sorted(names):
                path = here / name
                if name.startswith(".") or name in SKIPPED_FILES or path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    continue
                if path.is_symlink():
                    problem = _link_problem(path, root)
                    if problem:
                        _refuse(errors, path, base, problem)
                        continue
                yield path, str(path.relative_to(base))


def check_directories(folders: list[Path], errors: list[dict[str, str]]) -> None:
    """Validate each folder's organisations.yaml (the assistant loads it at start-up); a problem is listed in
    `errors` with what to change, so staff see it at ingest rather than when the service starts."""
    for folder in folders:
        path = folder / DIRECTORY_FILE
        if path.is_file():
            try:
                load_organisations(path)
            except OrganisationFileError as exc:
                errors.append({"path": str(path.resolve().relative_to(folder.resolve().parent)), "error": str(exc)})


def _link_problem(path: Path, root: Path) -> str | None:
    """Why a symbolic link may not be read (None when it points to a file inside `root`)."""
    try:
        target = path.resolve(strict=True)
    except RuntimeError:
        return "is a symbolic link in a loop; remove it"
    except OSError:
        return "is a symbolic link to nothing (its target is gone); remove it or restore the target"
    if not target.is_relative_to(root):
        return "is a symbolic link to a file outside the knowledge folder; copy the file in instead"
    if not target.is_file():
        return "is a symbolic link to something that is not a file"
    return None


def _refuse(errors: list[dict[str, str]] | None, path: Path, base: Path, problem: str) -> None:
    if errors is not None:
        errors.append({"path": str(path.relative_to(base)), "error": f"{path.name} {problem}"})


def to_chunks(document: Document, detector: LanguageDetector, max_words: int = 180) -> list[Chunk]:
    """Cut a document into chunks carrying its metadata. A language declared in front matter holds for the whole
    file; otherwise each chunk gets its own (paragraphs in different languages never share a chunk), with the
    page's declared or detected language settling close calls."""
    meta = document.meta
    declared = str(meta.get("lang") or "") if document.lang_declared else ""
    hint = declared or str(meta.get("lang") or detector.detect(document.body[:3000]).language)
    language_of = None if declared else (lambda text: detector.detect(text, hint).language)
    pieces = chunk_text(document.body, max_words, language_of)
    return [
        Chunk(
            id=chunk_id(document.id, position, f"{document.title}\n{section}\n{text}"),
            text=text,
            doc_id=document.id,
            title=document.title,
            section=section,
            path=document.path,
            lang=declared or (language_of(text) if len(pieces) > 1 else hint),
            kind=str(meta.get("kind", "article")),
            country=str(meta.get("country", "both")),
            module=meta.get("module"),
            url=str(meta.get("url") or "") or None,
            valid_until=str(meta.get("valid_until") or ""),
            rolling=meta.get("rolling") is True,
        )
        for position, (section, text) in enumerate(pieces)
    ]


@dataclass
class PendingFile:
    """A changed file whose chunks are being indexed."""

    name: str
    digest: str
    doc_id: str
    chunks: list[Chunk]
    new: list[Chunk]  # the chunks not yet in the store
    previous: FileEntry | None


class Ingester:
    """Brings the index in line with the knowledge folders; only changed files are re-embedded. Every run that
    changed anything bumps the content version, so every serving process swaps in the new content."""

    def __init__(
        self, index: KnowledgeIndex, detector: LanguageDetector, versions: ContentVersions, embed_batch: int = EMBED_BATCH
    ) -> None:
        self.index = index
        self.detector = detector
        self.versions = versions
        self.embed_batch = embed_batch  # passages per model call; small inside a service, so questions get turns

    def run(
        self, folders: list[Path], on_progress: Callable[[str, int, int], None] | None = None
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        manifest = Manifest.load(self.index.manifest_path)
        # The manifest is a cache of what the store holds: files whose chunks are not all in the store (a lost or
        # replaced Chroma folder, an interrupted run) are indexed again; their stored chunks are reused by id.
        repaired = manifest.drop_incomplete(self.index.vectors.all_ids())
        if repaired:
            log.warning("%d files were missing chunks in the store; indexing them again", repaired)
        files = list(find_files(folders, report.errors))
        check_directories(folders, report.errors)
        present = {name for _, name in files}
        vanished = {name for name in manifest.files if name not in present}
        changed = bool(repaired)
        try:
            changed |= self._ingest_files(files, manifest, vanished, report, on_progress)
        finally:
            manifest.save()  # also when interrupted: the files done so far need no work next time
        for name in sorted(vanished & set(manifest.files)):  # gone for good (a moved file's entry was taken over)
            del manifest.files[name]
            report.removed += 1
            changed = True
        manifest.save()
        changed |= self._remove_orphans(manifest)  # the chunks of removed files, and leftovers of interrupted runs
        if changed:
            snapshot = self.index.build_snapshot(self.versions.bump_content_version(self.index.collection))
            self.index.save_snapshot(snapshot)
            report.chunks = snapshot.size
        else:
            report.chunks = self.index.vectors.count()
        report.seconds = time.perf_counter() - started
        return report

    def _ingest_files(
        self,
        files: list[tuple[Path, str]],
        manifest: Manifest,
        vanished: set[str],
        report: IngestReport,
        on_progress: Callable[[str, int, int], None] | None,
    ) -> bool:
        """Index every file; a file that cannot be read is reported and skipped. True when anything changed.

        New chunks of several files are embedded together (small files would otherwise cost one model call and
        one store write each); a file enters the manifest once all its chunks are stored."""
        pending: list[PendingFile] = []
        changed = False
        for position, (path, name) in enumerate(files, start=1):
            if on_progress:
                on_progress(name, position, len(files))
            try:
                plan = self._plan(path, name, manifest, vanished, pending)
            except (LoadError, OSError) as exc:
                report.errors.append({"path": name, "error": str(exc)})
                continue
            if plan is None:
                report.unchanged += 1
                continue
            pending.append(plan)
            if sum(len(p.new) for p in pending) >= self.embed_batch:
                self._store(pending, manifest, report)
                pending, changed = [], True
        if pending:
            self._store(pending, manifest, report)
            changed = True
        return changed

    def _plan(
        self, path: Path, name: str, manifest: Manifest, vanished: set[str], pending: list[PendingFile]
    ) -> PendingFile | None:
        """What indexing one file takes: None when it is unchanged, else its chunks and those still to embed.

        A file whose id belonged to a file that is gone was moved or renamed: it takes over that file's entry."""
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        previous = manifest.files.get(name)
        if previous and previous.sha256 == digest:
            return None
        document = load_document(path, name)
        owner = manifest.owner_of(document.id, ignore=vanished | {name})
        owner = owner or next((p.name for p in pending if p.doc_id == document.id and p.name != name), None)
        if owner is not None:
            raise LoadError(f"id {document.id!r} is already used by {owner}; give this file its own id")
        moved_from = manifest.owner_of(document.id, ignore=set(manifest.files) - vanished)
        if previous is None and moved_from is not None:
            previous = manifest.files.pop(moved_from)
        chunks = to_chunks(document, self.detector)
        existing = self.index.vectors.existing_ids([c.id for c in chunks])
        return PendingFile(name, digest, document.id, chunks, [c for c in chunks if c.id not in existing], previous)

    def _store(self, pending: list[PendingFile], manifest: Manifest, report: IngestReport) -> None:
        """Embed and store the new chunks of `pending`, then swap each file's old chunks for its new ones.
        The old version of a file stays searchable until its new chunks are in."""
        new = [chunk for plan in pending for chunk in plan.new]
        for start in range(0, len(new), self.embed_batch):
            batch = new[start : start + self.embed_batch]
            self.index.vectors.add(batch, self.index.embedder.embed_passages([c.search_text for c in batch]))
        new_ids = {c.id for c in new}
        kept = [c for plan in pending for c in plan.chunks if c.id not in new_ids]
        self.index.vectors.update_metadata(kept)  # a moved file, or new front matter over the same text
        for plan in pending:
            keep = {c.id for c in plan.chunks}
            if plan.previous:
                self.index.vectors.delete([i for i in plan.previous.chunk_ids if i not in keep])
            manifest.files[plan.name] = FileEntry(plan.digest, plan.doc_id, [c.id for c in plan.chunks], time.time())
            status = "updated" if plan.previous else "added"
            setattr(report, status, getattr(report, status) + 1)
        manifest.save_if_due()

    def _remove_orphans(self, manifest: Manifest) -> bool:
        """Delete chunks no manifest entry owns (removed files, and leftovers of an interrupted run)."""
        orphans = self.index.vectors.all_ids() - manifest.all_chunk_ids()
        self.index.vectors.delete(sorted(orphans))
        return bool(orphans)
