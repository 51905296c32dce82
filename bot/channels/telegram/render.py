"""Pure functions: an `Answer` as Telegram HTML messages (escaped, split under the size limit) and the keyboards.

Every block of HTML produced here is complete in itself (no tag spans two blocks), so splitting between blocks
never cuts an entity in half."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.pieces import pieces_that_fit
from bot.i18n import Translator
from bot.links import safe_url
from bot.models import Answer, ModulePointer

MAX_MESSAGE_CHARS = 4096
MAX_CALLBACK_BYTES = 64
LANGUAGE_CHOICES = ("nb", "nn", "sv", "en")


@dataclass(frozen=True)
class Callback:
    """A parsed button press: `kind` (fb, mt, my, mn, fg, lg) and its arguments."""

    kind: str
    args: tuple[str, ...]

    @classmethod
    def parse(cls, data: str | None) -> "Callback":
        kind, *args = (data or "").split(":")
        return cls(kind, tuple(args))


def callback_data(kind: str, *args: str) -> str:
    """A button's callback data; arguments that would pass Telegram's 64-byte limit are dropped from the end."""
    parts = [kind, *args]
    while len(":".join(parts).encode()) > MAX_CALLBACK_BYTES and len(parts) > 1:
        parts.pop()
    return ":".join(parts)


def link(text: str, url: str | None) -> str:
    """`text` escaped, as a link when `url` is a safe http(s) URL."""
    target = safe_url(url)
    if target is None:
        return html.escape(text)
    return f'<a href="{html.escape(target, quote=True)}">{html.escape(text)}</a>'


def answer_blocks(answer: Answer, translator: Translator, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """The answer as self-contained HTML blocks (paragraphs), each at most `limit` characters."""
    lang = answer.language
    blocks = [html.escape(piece) for paragraph in answer.answer.split("\n\n") if paragraph.strip()
              for piece in pieces_that_fit(paragraph.strip(), limit, html.escape)]
    if answer.read_next:
        lines = [f"<b>{html.escape(translator.translate(lang, 'Read next:'))}</b>"]
        for pointer in answer.read_next:
            title = translator.translate(lang, "Module {number}: {title}", number=pointer.module, title=pointer.title)
            lines.append("• " + link(title, pointer.url))
        blocks.append("\n".join(lines))
    if answer.mentors:
        lines = [f"<b>{html.escape(translator.translate(lang, 'Talk to a mentor:'))}</b>"]
        lines += [f"• {html.escape(m.name)} ({html.escape(m.organisation)})" for m in answer.mentors]
        blocks.append("\n".join(lines))
    if answer.organisations:
        lines = [f"<b>{html.escape(translator.translate(lang, 'Organisations that can help:'))}</b>"]
        lines += [f"• {link(o.name, o.url)}: {html.escape(o.offer)}" for o in answer.organisations]
        blocks.append("\n".join(lines))
    if answer.sources:
        titles = "; ".join(link(s.title, s.url) for s in answer.sources)
        blocks.append(f"<i>{html.escape(translator.translate(lang, 'Sources:'))}</i> {titles}")
    return [block for block in blocks if len(block) <= limit] or [html.escape(answer.answer[: limit // 6])]


def pack(blocks: list[str], limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Blocks joined by blank lines into as few messages as fit `limit` each (a block is never split)."""
    messages: list[str] = []
    for block in blocks:
        if messages and len(messages[-1]) + 2 + len(block) <= limit:
            messages[-1] += "\n\n" + block
        else:
            messages.append(block)
    return messages


def render_answer(answer: Answer, translator: Translator, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """The answer as one or more Telegram HTML messages, split at paragraph boundaries under `limit`."""
    return pack(answer_blocks(answer, translator, limit), limit)


def split_plain(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Plain text (the fallback when Telegram rejects the HTML) in messages under `limit`, at paragraphs."""
    blocks = [piece for paragraph in text.split("\n\n") if paragraph.strip()
              for piece in _plain_pieces(paragraph.strip(), limit)]
    return pack(blocks, limit) or [text[:limit]]


def html_to_plain(text: str) -> str:
    """Telegram HTML from this module as plain text: a link becomes "title (url)", other tags go."""
    text = re.sub(r'<a href="([^"]*)">(.*?)</a>', lambda m: f"{m.group(2)} ({m.group(1)})", text, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _plain_pieces(text: str, limit: int) -> list[str]:
    return [text[i: i + limit] for i in range(0, len(text), limit)]


def answer_keyboard(answer: Answer, translator: Translator, mentor_ids: list[str]) -> InlineKeyboardMarkup | None:
    """👍 / 👎 for the recorded turn, and one "talk to" button per suggested mentor."""
    if not answer.turn_id or answer.kind in ("error", "smalltalk"):
        return None
    rows = [[
        InlineKeyboardButton("👍", callback_data=callback_data("fb", "1", answer.turn_id)),
        InlineKeyboardButton("👎", callback_data=callback_data("fb", "0", answer.turn_id)),
    ]]
    for mentor, mentor_id in zip(answer.mentors, mentor_ids):
        if mentor_id:
            label = translator.translate(answer.language, "Talk to {name}", name=mentor.name)
            rows.append([InlineKeyboardButton(label, callback_data=callback_data("mt", mentor_id, answer.turn_id))])
    return InlineKeyboardMarkup(rows)


def confirm_keyboard(yes: str, no: str, yes_data: str, no_data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(yes, callback_data=yes_data),
                                  InlineKeyboardButton(no, callback_data=no_data)]])


def language_keyboard(translator: Translator, lang: str) -> InlineKeyboardMarkup:
    """One button per answer language, each named in its own language."""
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(translator.language_name(code, code), callback_data=callback_data("lg", code))
        for code in LANGUAGE_CHOICES
    ]])


def modules_keyboard(modules: list[ModulePointer], translator: Translator, lang: str) -> InlineKeyboardMarkup | None:
    """The course modules that have a safe link, as link buttons."""
    rows = [[InlineKeyboardButton(translator.translate(lang, "Module {number}: {title}", number=m.module,
                                                       title=m.title), url=safe_url(m.url))]
            for m in modules if safe_url(m.url)]
    return InlineKeyboardMarkup(rows) if rows else None


def modules_text(modules: list[ModulePointer], translator: Translator, lang: str) -> str:
    """The course modules as an HTML list (links where safe)."""
    heading = translator.translate(lang, "Course modules:")
    lines = [f"<b>{html.escape(heading)}</b>"]
    lines += ["• " + link(translator.translate(lang, "Module {number}: {title}", number=m.module, title=m.title), m.url)
              for m in modules]
    return "\n".join(lines)
