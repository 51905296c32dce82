"""The public API: health, readiness, asking and feedback."""

from __future__ import annotations

import asyncio
import json
from typing import AsyncIterator

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from bot import metrics
from bot.http.deps import get_rate_limiter, get_runtime
from bot.models import LANGUAGES, Question
from bot.rate_limit import RateLimiter
from bot.runtime import Runtime

router = APIRouter()
LANGUAGE_PATTERN = "^(" + "|".join(LANGUAGES) + ")$"
# The HTTP status of each kind of notice the assistant gives instead of an answer.
ERROR_STATUS = {"empty": 422, "too_long": 413, "timeout": 504, "failed": 500, "unavailable": 503}
RETRY_AFTER_S = 5  # with a 503: the store or database is down; the service checks again every second


class AskRequest(BaseModel):
    question: str = Field(..., description="the question, in Norwegian, Swedish or English")
    lang: str | None = Field(None, pattern=LANGUAGE_PATTERN, description="answer language; detected if absent")
    conversation_id: str | None = Field(None, max_length=200, description="follow-ups use this conversation's history")


class FeedbackRequest(BaseModel):
    turn_id: str = Field(..., max_length=64)
    helpful: bool
    comment: str = Field("", max_length=2000)


@router.get("/healthz")
async def healthz(rt: Runtime = Depends(get_runtime)) -> dict:
    """The process is up; what content it has loaded (`status` is `empty` until something is ingested)."""
    snapshot = rt.live.current()
    return {
        "status": "ok" if snapshot.size else "empty",
        "chunks": snapshot.size,
        "documents": len(snapshot.documents),
        "content_version": snapshot.version,
        "embedder": rt.embedder.id,
        "llm": rt.settings.llm or None,
        "llm_recent": rt.llm_stats.snapshot() if rt.llm_stats is not None else None,
    }


@router.get("/readyz")
async def readyz(rt: Runtime = Depends(get_runtime)) -> JSONResponse:
    """200 when the store and the database answer and content is loaded, else 503; each part with its state (the
    LLM too when one is configured: when it is down answers fall back to extractive, so it does not make 503)."""
    parts = await asyncio.to_thread(rt.health.check_now)
    parts["content"] = "ok" if rt.live.current().size else "empty: run `veiviser ingest`"
    ready = all(parts.get(name) == "ok" for name in ("store", "database", "content"))
    return JSONResponse({"status": "ok" if ready else "unavailable", **parts}, 200 if ready else 503)


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics() -> Response:
    """Prometheus metrics (text exposition format)."""
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


@router.post("/api/ask")
async def ask(
    payload: AskRequest,
    request: Request,
    rt: Runtime = Depends(get_runtime),
    limiter: RateLimiter = Depends(get_rate_limiter),
) -> JSONResponse:
    """Answer one question; returns the `ask --json` object (with an error status when there is no answer)."""
    limited = _rate_limited(payload, request, rt, limiter)
    if limited is not None:
        return limited
    answer = await rt.answers.answer(_question(payload))
    body = answer.to_json()
    if answer.error:
        headers = {"Retry-After": str(RETRY_AFTER_S)} if answer.error == "unavailable" else None
        return JSONResponse(body | {"detail": answer.answer}, ERROR_STATUS.get(answer.error, 500), headers=headers)
    return JSONResponse(body)


@router.post("/api/ask/stream", response_model=None)
async def ask_stream(
    payload: AskRequest,
    request: Request,
    rt: Runtime = Depends(get_runtime),
    limiter: RateLimiter = Depends(get_rate_limiter),
) -> JSONResponse | StreamingResponse:
    """Answer one question as server-sent events: `text` events with the answer written so far (`{"text"}`, while
    a language model writes it), then one `answer` event with the `ask --json` object (plus `status` and, when
    there is no answer, `detail`); its text is the one to keep."""
    limited = _rate_limited(payload, request, rt, limiter)
    if limited is not None:
        return limited

    async def events() -> AsyncIterator[str]:
        async for item in rt.answers.stream(_question(payload)):
            if isinstance(item, str):
                yield _event("text", {"text": item})
            else:
                body = item.to_json() | {"status": ERROR_STATUS.get(item.error, 500) if item.error else 200}
                yield _event("answer", body | ({"detail": item.answer} if item.error else {}))

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _question(payload: AskRequest) -> Question:
    return Question(text=payload.question, lang=payload.lang, channel="web",
                    conversation_id=payload.conversation_id or "")


def _rate_limited(payload: AskRequest, request: Request, rt: Runtime, limiter: RateLimiter) -> JSONResponse | None:
    """A localised 429 when this client asks too often, else None."""
    client = request.client.host if request.client else "unknown"  # for the rate limit only, never stored
    wait = limiter.check(client)
    if not wait:
        return None
    lang = payload.lang or rt.detector.detect(payload.question[:200]).language
    message = rt.translator.translate(
        lang, "You have asked many questions in a short time. Please wait a moment and try again."
    )
    return JSONResponse({"detail": message, "retry_after": wait}, 429, headers={"Retry-After": str(int(wait + 1))})


@router.post("/api/feedback", status_code=201)
async def feedback(payload: FeedbackRequest, rt: Runtime = Depends(get_runtime)) -> dict:
    """👍 / 👎 (and an optional comment) on one answer, by the `turn_id` it carried."""
    from bot.records import UnknownTurn

    try:
        await asyncio.to_thread(rt.records.add_feedback, payload.turn_id, payload.helpful, payload.comment)
    except UnknownTurn:
        raise HTTPException(404, f"No answer with turn_id {payload.turn_id!r}.") from None
    return {"status": "recorded", "turn_id": payload.turn_id}
