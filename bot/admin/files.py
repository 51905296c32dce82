"""Files in the knowledge folder as staff reach them over HTTP: every path is confined to the folder (no `..`, no
absolute or encoded paths, no links out), and an upload must be what its name says, judged by its content."""

from __future__ import annotations

import os
import re
import secrets
import urllib.parse
import zipfile
from io import BytesIO
from pathlib import Path, PurePosixPath

from bot.i18n import N_
from ingest.loaders import LoadError, load_document

UPLOAD_SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".docx", ".html", ".htm")
SAFE_NAME = re.compile(r"^[\w][\w .()+,-]{0,150}$", re.UNICODE)
HTML_TAG = re.compile(rb"<\s*(!doctype\s+html|html|head|body|title|h[1-6]|p|div|article|main|section|ul|table)\b",
                      re.I)


class FileProblem(ValueError):
    """A refused path or upload; `message` is an English msgid (translated for the page), `params` fill it."""

    def __init__(self, message: str, status: int = 422, **params: object) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.status = status
        self.params = params


def confine(root: Path, relative: str) -> Path:
    """`relative` (a path inside `root`, `/`-separated) as an absolute path that stays inside `root`.

    Refused: empty, absolute, `..` or `.` parts, hidden parts, backslashes, percent-encoded characters (decoded
    once by the server already; anything still encoded is an attempt), control characters, and any path whose
    real location (links resolved) is outside `root`."""
    text = relative or ""
    if not text.strip() or "%" in text or "\\" in text or any(ord(c) < 32 for c in text):
        raise FileProblem(N_("The path {path} is not allowed: use a plain path inside the knowledge folder."),
                          400, path=repr(relative))
    if urllib.parse.unquote(text) != text or text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        raise FileProblem(N_("The path {path} is not allowed: use a plain path inside the knowledge folder."),
                          400, path=repr(relative))
    parts = PurePosixPath(text).parts
    raw = text.rstrip("/").split("/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in raw):
        raise FileProblem(N_("The path {path} is not allowed: use a plain path inside the knowledge folder."),
                          400, path=repr(relative))
    base = root.resolve()
    target = base.joinpath(*parts)
    if not target.resolve().is_relative_to(base):
        raise FileProblem(N_("The path {path} leads outside the knowledge folder (a link?); it is not allowed."),
                          400, path=repr(relative))
    return target


def relative_path(root: Path, path: Path) -> str:
    return path.relative_to(root.resolve()).as_posix()


def sniff(name: str, data: bytes) -> None:
    """Raise `FileProblem` unless `data` is the kind of file `name`'s suffix says (checked by content)."""
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise FileProblem(N_("Files of type {suffix} cannot be uploaded; use .md, .txt, .pdf, .docx or .html."),
                          415, suffix=suffix or "(none)")
    if not data:
        raise FileProblem(N_("The file {name} is empty."), 422, name=name)
    if suffix == ".pdf":
        if not data[:1024].lstrip().startswith(b"%PDF-"):
            raise FileProblem(N_("{name} is not a PDF file (its content says otherwise)."), 415, name=name)
        return
    if suffix == ".docx":
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                if "word/document.xml" not in archive.namelist():
                    raise zipfile.BadZipFile("no word/document.xml")
        except zipfile.BadZipFile:
            raise FileProblem(N_("{name} is not a Word (.docx) file (its content says otherwise)."), 415,
                              name=name) from None
        return
    if b"\x00" in data[:8192]:
        raise FileProblem(N_("{name} is not a text file (it holds binary data)."), 415, name=name)
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem(N_("{name} is not UTF-8 text; save it with UTF-8 encoding and upload it again."), 415,
                          name=name) from None
    if suffix in (".html", ".htm") and not HTML_TAG.search(data[:65536]):
        raise FileProblem(N_("{name} is not an HTML page (no HTML elements found)."), 415, name=name)


def clean_name(filename: str) -> str:
    """An uploaded file's name, if it is a plain, visible file name (no folders: those go in `folder`)."""
    name = (filename or "").strip()
    if not name or "/" in name or "\\" in name or name.startswith(".") or not SAFE_NAME.match(name):
        raise FileProblem(N_("The file name {name} is not allowed: use letters, digits, spaces, dots and dashes."),
                          400, name=repr(filename))
    return name


def save_upload(root: Path, folder: str, filename: str, data: bytes, max_bytes: int) -> Path:
    """Check and store an uploaded file under `root/folder` (replacing a file of the same name); returns its path.

    The file is written under a hidden temporary name (ingest skips hidden files), read back like ingest reads it,
    and only then moved into place, so a corrupt upload leaves the folder as it was."""
    if len(data) > max_bytes:
        raise FileProblem(N_("The file is larger than {limit} MB."), 413, limit=max_bytes // 1_048_576)
    name = clean_name(filename)
    sniff(name, data)
    directory = confine(root, folder) if folder.strip("/ ") else root.resolve()
    if directory.exists() and not directory.is_dir():
        raise FileProblem(N_("{path} is a file, not a folder."), 400, path=folder)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise FileProblem(N_("{path} exists and is not a plain file; it cannot be replaced."), 409,
                          path=relative_path(root, target))
    temporary = directory / f".upload-{secrets.token_hex(8)}{Path(name).suffix.lower()}"
    try:
        temporary.write_bytes(data)
        try:
            load_document(temporary, name)
        except LoadError as exc:
            raise FileProblem(N_("{name} cannot be used: {reason}"), 422, name=name, reason=str(exc)) from None
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def delete_file(root: Path, relative: str) -> Path:
    """Delete one knowledge file (never a folder, never through a link)."""
    target = confine(root, relative)
    if target.is_symlink() or not target.is_file():
        raise FileProblem(N_("There is no file {path} in the knowledge folder."), 404, path=relative)
    target.unlink()
    return target
