"""The Content page (sources, upload, delete, re-ingest now, chunk preview, "try it") and the Freshness page."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt

from fastapi import APIRouter, Depends, Form, UploadFile

from bot.admin import content
from bot.admin.files import FileProblem, confine, delete_file, save_upload
from bot.admin.summary import summary
from bot.admin.web import Page, staff_page
from bot.models import Question
from ingest.coordinator import IngestBusy
from ingest.loaders import LoadError
from ingest.manifest import Manifest

router = APIRouter(prefix="/admin", include_in_schema=False)
MAX_TRY_CHARS = 500


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


async def render_content(page: Page, code: int = 200, **values: object) -> object:
    """The Content page, with `values` (a message, an ingest report, a "try it" result) on top."""
    rt = page.rt
    folders = list(rt.settings.knowledge_dirs)

    def gather() -> tuple[list, list[str]]:
        manifest = Manifest.load(rt.index.manifest_path)
        rows = content.sources(rt.live.current(), manifest, folders, _today())
        try:
            waiting = content.not_ingested(folders, manifest)
        except FileNotFoundError:
            waiting = []
        return rows, waiting

    rows, waiting = await asyncio.to_thread(gather)
    last = page.state.ingest_log.latest()
    values.setdefault("report", None)
    return page.render("content.html", code, rows=rows, waiting=waiting, last=last, running=rt.ingest.running,
                       max_mb=rt.settings.admin_upload_max_mb, **values)


def problem_text(page: Page, problem: FileProblem) -> str:
    return page.rt.translator.translate(page.lang, problem.message, **problem.params)


@router.get("/content")
async def content_page(page: Page = Depends(staff_page)) -> object:
    """Every source with kind, language, country, module, passages, last ingest and validity."""
    return await render_content(page)


@router.post("/content/upload")
async def upload(page: Page = Depends(staff_page), file: UploadFile | None = None, folder: str = Form(""),
                 csrf: str = Form("")) -> object:
    """Store an uploaded file in the knowledge folder (checked by content; nothing is replaced by a bad file)."""
    if not page.csrf_ok(csrf):
        return page.refused()
    if file is None or not file.filename:
        return await render_content(page, 400, error=page.translate(page.lang, "Choose a file to upload."))
    limit = page.rt.settings.admin_upload_max_mb * 1_048_576
    data = await file.read(limit + 1)
    root = content.upload_root(page.rt.settings.knowledge_dirs)
    try:
        path = await asyncio.to_thread(save_upload, root, folder, file.filename, data, limit)
    except FileProblem as problem:
        return await render_content(page, problem.status, error=problem_text(page, problem))
    return await render_content(page, message=page.translate(page.lang, 
        "Uploaded {path}. Re-ingest to bring it into the answers.", path=path.relative_to(root).as_posix()))


@router.post("/content/delete")
async def delete(page: Page = Depends(staff_page), path: str = Form(""), csrf: str = Form("")) -> object:
    """Delete one file from the knowledge folder (it leaves the answers at the next re-ingest)."""
    if not page.csrf_ok(csrf):
        return page.refused()
    root = content.upload_root(page.rt.settings.knowledge_dirs)
    try:
        await asyncio.to_thread(delete_file, root, path)
    except FileProblem as problem:
        return await render_content(page, problem.status, error=problem_text(page, problem))
    return await render_content(page, message=page.translate(page.lang, 
        "Deleted {path}. Re-ingest to take it out of the answers.", path=path))


@router.post("/content/reingest")
async def reingest(page: Page = Depends(staff_page), csrf: str = Form("")) -> object:
    """Re-ingest now and show what changed and which files could not be read."""
    if not page.csrf_ok(csrf):
        return page.refused()
    try:
        report = await asyncio.to_thread(page.rt.ingest.run, None, "web")
    except IngestBusy:
        return await render_content(page, 409, error=page.translate(page.lang, 
            "A re-ingest is already running. Wait a moment and reload the page."))
    data = report.to_json()
    return await render_content(page, report=data, summary=summary(data, page.rt.translator, page.lang, "web"))


@router.get("/content/preview")
async def preview(page: Page = Depends(staff_page), path: str = "") -> object:
    """How a file is read and cut into passages."""
    root = content.upload_root(page.rt.settings.knowledge_dirs)
    try:
        target = confine(root, path)
        if not target.is_file():
            raise FileProblem("There is no file {path} in the knowledge folder.", 404, path=path)
        meta, chunks = await asyncio.to_thread(content.preview, target, f"{root.name}/{path}", page.rt.detector)
    except FileProblem as problem:
        return page.render("error.html", problem.status, message=problem_text(page, problem))
    except LoadError as exc:
        return page.render("error.html", 422, message=page.translate(page.lang, 
            "{name} cannot be used: {reason}", name=path, reason=str(exc)))
    return page.render("preview.html", file=path, meta=meta, chunks=chunks)


@router.post("/content/try")
async def try_it(page: Page = Depends(staff_page), question: str = Form(""), csrf: str = Form("")) -> object:
    """Ask the assistant as a learner would (nothing is recorded) and show the passages behind the answer."""
    if not page.csrf_ok(csrf):
        return page.refused()
    text = question.strip()[:MAX_TRY_CHARS]
    if not text:
        return await render_content(page, 400, error=page.translate(page.lang, "Write a question to try."))
    rt = page.rt
    trial = copy.copy(rt.assistant)
    trial.records = None  # staff trying the assistant are not learners: no turn, no gap

    def ask() -> tuple:
        answer = trial.answer(Question(text=text, channel="admin"))
        used = {s.id for s in answer.sources}
        hits = rt.retriever.search(rt.retriever.snapshot(), text, answer.language, rt.assistant.policy.k)
        return answer, [h for h in hits if h.chunk.doc_id in used]

    answer, passages = await asyncio.to_thread(ask)
    return await render_content(page, tried=text, answer=answer, passages=passages)


@router.get("/freshness")
async def freshness_page(page: Page = Depends(staff_page)) -> object:
    """Expired content, content expiring within 30 days, and content not updated for STALE_AFTER_DAYS."""
    rt = page.rt
    folders = list(rt.settings.knowledge_dirs)

    def gather() -> content.Freshness:
        rows = content.sources(rt.live.current(), Manifest.load(rt.index.manifest_path), folders, _today())
        return content.freshness(rows, folders, _today(), rt.settings.stale_after_days)

    report = await asyncio.to_thread(gather)
    return page.render("freshness.html", report=report, stale_days=rt.settings.stale_after_days,
                       expiring_days=content.EXPIRING_DAYS)
