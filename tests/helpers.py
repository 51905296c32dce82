"""Small builders for test files (a real PDF and DOCX, made here rather than shipped), loopback helpers, and a
runtime over a writable copy of the fixture knowledge with staff accounts (the staff API and staff Slack tests)."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

STAFF_PASSWORD = "a long staff password"


def write_pdf(path: Path, lines: list[str]) -> None:
    """A minimal valid one-page PDF with the given text lines (Helvetica)."""
    write_pdf_pages(path, [lines])


def write_pdf_pages(path: Path, pages: list[list[str]]) -> None:
    """A minimal valid PDF with one page per list of text lines (Helvetica, Latin-1 text)."""

    def text_ops(lines: list[str]) -> bytes:
        return ("BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*" for line in lines
        ) + " ET").encode("latin-1")

    n = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    font = 3 + 2 * n
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode()]
    for i, lines in enumerate(pages):
        stream = text_ops(lines)
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
                       f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))


def write_docx(path: Path, title: str, paragraphs: list[str]) -> None:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(str(path))


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_http(url: str, process, seconds: float, name: str) -> None:  # noqa: ANN001 - a subprocess.Popen
    """Wait until `url` answers, failing with the process's error output when it exits or takes too long."""
    import time
    import urllib.request

    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            if process.poll() is not None:
                detail = process.stderr.read() if process.stderr else ""
                raise AssertionError(f"{name} exited at start-up: {detail}") from None
            assert time.monotonic() < deadline, f"{name} did not answer within {seconds:.0f} s"
            time.sleep(0.2)


@contextmanager
def ingested_runtime(base: Path, embedder, **settings) -> Iterator[tuple]:  # noqa: ANN001 - the session's embedder
    """(runtime, knowledge folder): a copy of the fixture knowledge in `base/knowledge` ingested into `base/store`,
    with `settings` on top of the test defaults; the runtime is closed on the way out."""
    from bot.runtime import build_runtime
    from tests.conftest import FIXTURES, make_settings

    knowledge = base / "knowledge"
    shutil.copytree(FIXTURES / "knowledge", knowledge)
    rt = build_runtime(make_settings(base / "store", knowledge_dirs=[knowledge], **settings), embedder)
    try:
        rt.ingest.run()
        yield rt, knowledge
    finally:
        rt.close()


def add_staff(rt, email: str, slack_user_id: str | None = None) -> None:  # noqa: ANN001 - a bot.runtime.Runtime
    """A staff account for `email` (password STAFF_PASSWORD), with a Slack user id when given."""
    from bot.admin.auth import hash_password

    rt.records.staff.add(email, hash_password(STAFF_PASSWORD), slack_user_id=slack_user_id)
