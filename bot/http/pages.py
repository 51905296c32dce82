"""Pages for people: the web chat and the documents that "read next" links point to."""

from __future__ import annotations

import html
from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from bot.http.deps import get_runtime
from bot.i18n import UI_LANGUAGES, Translator
from bot.models import Chunk
from bot.runtime import Runtime
from bot.web import chat_page_strings
from bot.web.security import csp_nonce

router = APIRouter()
CHAT_PAGE = Path(__file__).resolve().parent.parent / "web" / "chat.html"
LOCALE_ALIASES = {"no": "nb", "nb-no": "nb", "nn-no": "nn", "sv-se": "sv", "sv-fi": "sv"}


@router.get("/", response_class=HTMLResponse)
async def web_chat(request: Request, rt: Runtime = Depends(get_runtime)) -> str:
    """A small web chat for trying the assistant without Telegram or Slack."""
    lang = accepted_language(request.headers.get("accept-language", ""))
    return render_chat_page(rt.translator, lang, csp_nonce(request), stream=rt.answers.streams)


@router.get("/read/{doc_id:path}", response_class=HTMLResponse)
async def read_document(doc_id: str, request: Request, rt: Runtime = Depends(get_runtime)) -> str:
    """A course module or article as a page, as it was ingested (the target of "read next" links)."""
    snapshot = rt.live.current()
    chunks = snapshot.document_chunks(doc_id)
    if not chunks:
        raise HTTPException(404, f"No document with id {doc_id!r}.")
    return render_document_page(chunks, csp_nonce(request))


def render_document_page(chunks: list[Chunk], nonce: str = "") -> str:
    """A document's chunks, in reading order, as a small standalone HTML page (Markdown rendered, raw HTML
    escaped, only safe links)."""
    from markdown_it import MarkdownIt

    first = chunks[0]
    parts: list[str] = []
    section = None
    for chunk in chunks:
        if chunk.section and chunk.section not in (section, first.title):
            parts.append(f"## {chunk.section}")
        section = chunk.section
        parts.append(chunk.text)
    rendered = MarkdownIt("commonmark", {"html": False}).enable("table").render("\n\n".join(parts))
    return (
        f'<!doctype html><html lang="{html.escape(first.lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(first.title)}</title>'
        f'<style nonce="{html.escape(nonce)}">body{{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;'
        "padding:0 1rem;line-height:1.5;color:#1d2733}table{border-collapse:collapse}td,th{border:1px solid #ccd;"
        f"padding:.3rem}}</style></head><body><h1>{html.escape(first.title)}</h1>{rendered}</body></html>"
    )


def accepted_language(header: str) -> str:
    """The first language of an Accept-Language header that the pages are written in (Bokmål otherwise)."""
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()
        code = LOCALE_ALIASES.get(code, code.split("-")[0])
        if code in UI_LANGUAGES:
            return code
    return "nb"


def render_chat_page(translator: Translator, lang: str, nonce: str = "", stream: bool = False) -> str:
    """The web chat page with its fixed strings in `lang`; with `stream` it shows answers while they are written."""
    page = CHAT_PAGE.read_text("utf-8")
    for key, value in (chat_page_strings(translator, lang) | {"nonce": nonce, "stream": "1" if stream else ""}).items():
        page = page.replace("{{" + key + "}}", html.escape(value, quote=True))
    return page
