"""The staff API (bearer ADMIN_TOKEN or a staff member's token): re-ingest inside the service that owns the store,
upload and delete knowledge files, and read the gaps, the feedback and the mentor requests."""

from __future__ import annotations

import asyncio
import datetime as dt

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from pydantic import BaseModel

from bot.admin.content import upload_root
from bot.admin.files import FileProblem, delete_file, save_upload
from bot.http.deps import get_runtime, require_admin
from bot.models import LANGUAGES
from bot.records.schema import MENTOR_REQUEST_STATUSES
from bot.runtime import Runtime
from ingest.coordinator import IngestBusy

router = APIRouter(prefix="/admin/api", dependencies=[Depends(require_admin)], tags=["staff"])


class FileCreated(BaseModel):
    path: str  # inside the knowledge folder (the first of KNOWLEDGE_DIRS)


class GapGroupOut(BaseModel):
    question: str
    count: int
    languages: list[str]
    first_seen: dt.datetime
    last_seen: dt.datetime
    variants: list[str] = []


class Gaps(BaseModel):
    groups: list[GapGroupOut]


def _problem(problem: FileProblem, rt: Runtime) -> HTTPException:
    return HTTPException(problem.status, rt.translator.translate("en", problem.message, **problem.params))


@router.post("/reingest")
async def reingest(rt: Runtime = Depends(get_runtime)) -> dict:
    """Bring the index in line with the knowledge folders; answers keep coming from the old content until the
    new one is swapped in. One ingest at a time: a second request while one runs gets 409."""
    try:
        report = await asyncio.to_thread(rt.ingest.run, None, "api")
    except IngestBusy as exc:
        raise HTTPException(409, str(exc)) from None
    return report.to_json()


@router.post("/files", status_code=201, response_model=FileCreated)
async def upload_file(file: UploadFile = File(...), folder: str = Form(""),
                      rt: Runtime = Depends(get_runtime)) -> FileCreated:
    """Store a file (md, txt, pdf, docx, html; checked by its content, at most ADMIN_UPLOAD_MAX_MB) in the knowledge
    folder, under `folder` if given; a file of the same name is replaced. Re-ingest to bring it into answers."""
    limit = rt.settings.admin_upload_max_mb * 1_048_576
    data = await file.read(limit + 1)
    root = upload_root(rt.settings.knowledge_dirs)
    try:
        path = await asyncio.to_thread(save_upload, root, folder, file.filename or "", data, limit)
    except FileProblem as problem:
        raise _problem(problem, rt) from None
    return FileCreated(path=path.relative_to(root).as_posix())


@router.delete("/files/{path:path}", status_code=204)
async def remove_file(path: str, rt: Runtime = Depends(get_runtime)) -> None:
    """Delete one file of the knowledge folder (a path inside it); it leaves the answers at the next re-ingest."""
    try:
        await asyncio.to_thread(delete_file, upload_root(rt.settings.knowledge_dirs), path)
    except FileProblem as problem:
        raise _problem(problem, rt) from None


@router.get("/gaps", response_model=Gaps)
async def gaps(request: Request, lang: str | None = None, rt: Runtime = Depends(get_runtime)) -> Gaps:
    """Questions the material did not cover and not yet handled, grouped by similarity, most asked first."""
    rows = await asyncio.to_thread(rt.records.staff.unanswered)
    if lang in LANGUAGES:
        rows = [r for r in rows if r["language"] == lang]
    groups = await asyncio.to_thread(request.app.state.admin.grouper(rt).group, rows)
    return Gaps(groups=[GapGroupOut(**g.to_json()) for g in groups])


@router.get("/feedback")
async def feedback(channel: str | None = None, lang: str | None = None, since: dt.date | None = None,
                   until: dt.date | None = None, rt: Runtime = Depends(get_runtime)) -> dict:
    """👍/👎 with question, answer and source ids, newest first; `since`/`until` are dates (UTC, inclusive)."""
    start = dt.datetime.combine(since, dt.time(), dt.timezone.utc) if since else None
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.timezone.utc) if until else None
    rows = await asyncio.to_thread(rt.records.staff.feedback, channel, lang, start, end)
    return {"feedback": [{**row, "created_at": row["created_at"].isoformat()} for row in rows]}


@router.get("/mentor-requests")
async def mentor_requests(status: str | None = None, rt: Runtime = Depends(get_runtime)) -> dict:
    """Mentor requests (who, topic, mentor, status new / contacted / done), newest first."""
    if status is not None and status not in MENTOR_REQUEST_STATUSES:
        raise HTTPException(422, f"status must be one of {', '.join(MENTOR_REQUEST_STATUSES)}")
    rows = await asyncio.to_thread(rt.records.mentor_requests, None, None, status)
    return {"requests": [{**row, "created_at": row["created_at"].isoformat(),
                          "updated_at": row["updated_at"].isoformat()} for row in rows]}
