"""The FastAPI service: health, the ask API and the web chat; channel apps mount here."""

from __future__ import annotations

import asyncio
import html
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from bot.i18n import UI_LANGUAGES, Translator
from ingest.loaders import FRONT_MATTER_RE
from bot.models import Question
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings

log = logging.getLogger(__name__)
WEB_DIR = Path(__file__).resolve().parent / "web"
MAX_BODY_BYTES = 64 * 1024


class AskRequest(BaseModel):
    question: str = Field(..., description="the question, in Norwegian, Swedish or English")
    lang: str | None = Field(None, pattern="^(nb|nn|sv|en|da)$", description="answer language; detected if absent")


def get_runtime(request: Request) -> Runtime:
    """The runtime built by the lifespan (tests may hand in their own)."""
    return request.app.state.runtime


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    """App factory: the lifespan builds the store, embedder, LLM and assistant once."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.runtime = runtime or await asyncio.to_thread(build_runtime, settings)
        yield
        if runtime is None:
            app.state.runtime.close()

    app = FastAPI(title="Veiviser", lifespan=lifespan)

    @app.get("/healthz")
    async def healthz(rt: Runtime = Depends(get_runtime)) -> dict:
        """Liveness and what the service runs on."""
        return {
            "status": "ok",
            "chunks": rt.retriever.size,
            "embedder": rt.embedder.id,
            "llm": rt.settings.llm or None,
        }

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        """Refuse oversized bodies before reading them."""
        if int(request.headers.get("content-length") or 0) > MAX_BODY_BYTES:
            return JSONResponse({"detail": f"Request body is larger than {MAX_BODY_BYTES // 1024} KiB."}, 413)
        return await call_next(request)

    @app.post("/api/ask")
    async def ask(payload: AskRequest, rt: Runtime = Depends(get_runtime)):  # noqa: ANN201 - dict or JSONResponse
        """Answer one question; returns the `ask --json` object."""
        if len(payload.question) > rt.settings.max_question_chars:
            lang = payload.lang or rt.detector.detect(payload.question[:500]).language
            raise HTTPException(
                413,
                rt.translator.translate(
                    lang, "Your message is too long ({limit} characters at most). Please shorten it.",
                    limit=rt.settings.max_question_chars,
                ),
            )
        question = Question(text=payload.question, lang=payload.lang, channel="web")
        try:
            answer = await asyncio.to_thread(rt.assistant.answer, question)
        except Exception:  # noqa: BLE001 - the asker gets a clear message, the log gets the details
            log.exception("answering failed")
            lang = payload.lang or rt.detector.detect(payload.question[:500]).language
            message = rt.translator.translate(lang, "Something went wrong on our side. Please try again in a moment.")
            return JSONResponse({"detail": message}, 500)
        return answer.to_json()

    @app.get("/read/{doc_id}", response_class=HTMLResponse)
    async def read_document(doc_id: str, rt: Runtime = Depends(get_runtime)) -> str:
        """A course module or article as a readable page (the target of "read next" links)."""
        chunk = rt.retriever.documents().get(doc_id)
        path = _knowledge_file(rt.settings, chunk.path) if chunk else None
        if path is None:
            raise HTTPException(404, f"No document with id {doc_id!r}.")
        return render_document_page(path.read_text("utf-8"), chunk.title, chunk.lang)

    @app.get("/", response_class=HTMLResponse)
    async def web_chat(request: Request, rt: Runtime = Depends(get_runtime)) -> str:
        """A minimal web chat for trying the assistant without Telegram or Slack."""
        lang = _accepted_language(request.headers.get("accept-language", ""))
        return render_chat_page(rt.translator, lang)

    return app


def _knowledge_file(settings: Settings, display_path: str) -> Path | None:
    """The file behind a chunk's display path, only if it lies inside a configured knowledge folder."""
    for folder in settings.knowledge_dirs:
        root = folder.resolve()
        candidate = (root.parent / display_path).resolve()
        if candidate.is_relative_to(root) and candidate.is_file() and candidate.suffix in (".md", ".txt"):
            return candidate
    return None


def render_document_page(source: str, title: str, lang: str) -> str:
    """Markdown (front matter stripped) as a small standalone HTML page; raw HTML in the source is escaped."""
    from markdown_it import MarkdownIt

    body = FRONT_MATTER_RE.sub("", source, count=1)
    rendered = MarkdownIt("commonmark", {"html": False}).enable("table").render(body)
    return (
        f'<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
        "<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
        "line-height:1.5;color:#1d2733}table{border-collapse:collapse}td,th{border:1px solid #ccd;padding:.3rem}"
        f"</style></head><body><h1>{html.escape(title)}</h1>{rendered}</body></html>"
    )


def _accepted_language(header: str) -> str:
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()
        code = {"no": "nb", "nb-no": "nb", "nn-no": "nn", "sv-se": "sv", "sv-fi": "sv"}.get(code, code.split("-")[0])
        if code in UI_LANGUAGES:
            return code
    return "nb"


def render_chat_page(translator: Translator, lang: str) -> str:
    """The web chat page with its fixed strings in `lang`."""
    strings = {
        "lang": lang,
        "title": translator.translate(lang, "Veiviser — mentoring for social entrepreneurs"),
        "intro": translator.translate(
            lang, "Ask about starting a social enterprise in Norway or Sweden. Write in Norwegian, Swedish or English."
        ),
        "placeholder": translator.translate(lang, "Write your question…"),
        "send": translator.translate(lang, "Send"),
        "read_next": translator.translate(lang, "Read next:"),
        "mentor": translator.translate(lang, "Talk to a mentor:"),
        "sources": translator.translate(lang, "Sources:"),
        "error": translator.translate(lang, "Something went wrong on our side. Please try again in a moment."),
    }
    page = (WEB_DIR / "chat.html").read_text("utf-8")
    for key, value in strings.items():
        page = page.replace("{{" + key + "}}", html.escape(value, quote=True))
    return page
