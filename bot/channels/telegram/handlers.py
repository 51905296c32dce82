"""Telegram handlers: each turns an update into a `Question` (or a records call) and the result into messages.

Registered in one place (`registration.py`); what they share with other channels is in `bot.channels.conversation`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions, Message, Update, User
from telegram.constants import ChatAction, MessageEntityType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.channels import conversation
from bot.channels.conversation import ChannelRecords
from bot.channels.preview import PreviewEdits
from bot.channels.telegram import render
from bot.logs import set_request_id
from bot.models import Answer, Question
from bot.rate_limit import RateLimiter
from bot.runtime import Runtime

log = logging.getLogger(__name__)
CHANNEL = "telegram"
LANGUAGE_CODES = {"nb": "nb", "no": "nb", "nn": "nn", "sv": "sv"}
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
TYPING_AFTER_S = 0.5  # quick answers need no "typing…" (it would spend half of the outgoing call budget)
TYPING_EVERY_S = 4.5
Context = ContextTypes.DEFAULT_TYPE


@dataclass
class Deps:
    """What the handlers need, kept in `application.bot_data["veiviser"]`."""

    runtime: Runtime
    people: ChannelRecords
    limiter: RateLimiter

    def translate(self, lang: str | None, message: str, **params: object) -> str:
        return self.runtime.translator.translate(lang, message, **params)


def deps(context: Context) -> Deps:
    return context.bot_data["veiviser"]


def language_hint(user: User | None) -> str | None:
    """Telegram's `language_code` as a hint for the answer language (nb, nn, sv), else None."""
    code = ((user.language_code if user else None) or "").lower().split("-")[0]
    return LANGUAGE_CODES.get(code)


async def ui_language(d: Deps, user: User | None) -> str:
    """The language of fixed replies: the stored choice, else the Telegram locale, else Bokmål."""
    if user is None:
        return "nb"
    stored = await d.people.language(str(user.id))
    code = (user.language_code or "").lower().split("-")[0]
    return stored or language_hint(user) or ("en" if code == "en" else "nb")


def conversation_id(message: Message) -> str:
    """One conversation per chat, or per forum topic."""
    thread = message.message_thread_id if message.is_topic_message else None
    return f"telegram:{message.chat_id}" + (f":{thread}" if thread else "")


def addressed_text(message: Message, bot_id: int, username: str) -> str | None:
    """In a group: the question when the message mentions the bot or replies to it, else None."""
    text = message.text or ""
    mention = f"@{username}".lower()
    for entity, value in message.parse_entities([MessageEntityType.MENTION, MessageEntityType.TEXT_MENTION]).items():
        if value.lower() == mention or (entity.user is not None and entity.user.id == bot_id):
            return text.replace(value, " ").strip()
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return text
    return None


@contextlib.asynccontextmanager
async def typing(message: Message):
    """Shows "typing…" in the chat while the block takes longer than a moment (refreshed: Telegram shows it 5 s)."""
    async def keep_typing() -> None:
        await asyncio.sleep(TYPING_AFTER_S)
        while True:
            with contextlib.suppress(TelegramError):
                await message.reply_chat_action(ChatAction.TYPING)
            await asyncio.sleep(TYPING_EVERY_S)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()


async def send_html(message: Message, parts: list[str], keyboard=None, quote: bool = False) -> None:  # noqa: ANN001
    """Send HTML messages in order (the keyboard under the last); from a part Telegram rejects on, plain text."""
    for index, part in enumerate(parts):
        markup = keyboard if index == len(parts) - 1 else None
        try:
            await message.reply_text(part, parse_mode=ParseMode.HTML, reply_markup=markup,
                                     link_preview_options=NO_PREVIEW, do_quote=quote and index == 0)
        except BadRequest as exc:
            if "can't parse entities" not in str(exc).lower():
                raise
            log.warning("Telegram rejected the HTML of a message; sending it as plain text")
            for plain in render.split_plain(render.html_to_plain(part)):
                await message.reply_text(plain, reply_markup=markup, link_preview_options=NO_PREVIEW,
                                         do_quote=quote and index == 0)


async def send_answer(message: Message, answer: Answer, d: Deps, quote: bool = False) -> None:
    """The answer as HTML messages, with feedback and mentor buttons under the last one."""
    translator = d.runtime.translator
    keyboard = render.answer_keyboard(
        answer, translator, conversation.mentor_ids(d.runtime.assistant.mentors, answer.mentors)
    )
    await send_html(message, render.render_answer(answer, translator), keyboard, quote)


async def answer_question(update: Update, context: Context, text: str, quote: bool = False) -> None:
    """Ask the assistant (within the per-user rate limit) and send the answer."""
    d, message, user = deps(context), update.effective_message, update.effective_user
    set_request_id(f"telegram:{update.update_id}")  # this handler runs in its own task: the id stays with it
    wait = d.limiter.check(str(user.id))
    if wait:
        lang = await ui_language(d, user)
        await message.reply_text(d.translate(lang, "You are sending many questions in a short time. Please wait "
                                                   "{seconds} seconds and try again.", seconds=int(wait + 1)),
                                 do_quote=quote)
        return
    question = Question(text=text, lang_hint=language_hint(user), channel=CHANNEL, user_id=str(user.id),
                        conversation_id=conversation_id(message))
    if d.runtime.answers.streams:
        await answer_while_written(message, question, d, await ui_language(d, user), quote)
        return
    async with typing(message):
        answer = await d.runtime.answers.answer(question)
    await send_answer(message, answer, d, quote)


async def answer_while_written(message: Message, question: Question, d: Deps, lang: str, quote: bool) -> None:
    """With a language model: a placeholder at once, edited a few times while the answer is written, and finally
    replaced by the answer (further parts follow as messages)."""
    placeholder = await message.reply_text(d.translate(lang, "Thinking…"), do_quote=quote)
    edits, answer = PreviewEdits(), None
    async for item in d.runtime.answers.stream(question):
        if isinstance(item, Answer):
            answer = item
        elif (text := edits.due(item)) is not None:
            with contextlib.suppress(TelegramError):
                await placeholder.edit_text(text, link_preview_options=NO_PREVIEW)
    translator = d.runtime.translator
    parts = render.render_answer(answer, translator)
    keyboard = render.answer_keyboard(answer, translator,
                                      conversation.mentor_ids(d.runtime.assistant.mentors, answer.mentors))
    try:
        await placeholder.edit_text(parts[0], parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                                    reply_markup=keyboard if len(parts) == 1 else None)
    except TelegramError:
        log.warning("could not replace the placeholder with the answer; sending it as new messages")
        with contextlib.suppress(TelegramError):
            await placeholder.delete()
        await send_answer(message, answer, d, quote)
        return
    if len(parts) > 1:
        await send_html(message, parts[1:], keyboard)


async def private_text(update: Update, context: Context) -> None:
    """A text message (new or edited) in a private chat is a question."""
    await answer_question(update, context, update.effective_message.text or "")


async def group_text(update: Update, context: Context) -> None:
    """In a group, answer only a person who mentions the bot or replies to it, as a reply."""
    message = update.effective_message
    if message.from_user is None or message.from_user.is_bot:
        return
    text = addressed_text(message, context.bot.id, context.bot.username or "")
    if text is not None:
        await answer_question(update, context, text, quote=True)


async def not_text(update: Update, context: Context) -> None:
    """Photos, stickers, voice, documents: say what the bot can do."""
    d = deps(context)
    lang = await ui_language(d, update.effective_user)
    await update.effective_message.reply_text(d.translate(
        lang, "I can only read text. Write your question about starting or running a social enterprise, "
              "or send /help to see what I can do."))


async def inline_query(update: Update, context: Context) -> None:
    """`@bot question` in any chat: the answer offered as a result to share."""
    d, query = deps(context), update.inline_query
    text = query.query.strip()
    if len(text) < 3 or d.limiter.check(str(query.from_user.id)):
        await query.answer([], cache_time=0, is_personal=True)
        return
    answer = await d.runtime.answers.answer(
        Question(text=text, lang_hint=language_hint(query.from_user), channel=CHANNEL, user_id=str(query.from_user.id))
    )
    body = render.render_answer(answer, d.runtime.translator)[0]
    result = InlineQueryResultArticle(
        id=(answer.turn_id or "answer")[:64], title=text[:100], description=answer.answer[:200],
        input_message_content=InputTextMessageContent(body, parse_mode=ParseMode.HTML,
                                                      link_preview_options=NO_PREVIEW),
    )
    await query.answer([result], cache_time=0, is_personal=True)


async def on_error(update: object, context: Context) -> None:
    """Log a failure by update id (never the text); the person gets a short apology."""
    update_id = getattr(update, "update_id", None)
    log.error("Telegram update %s failed: %s", update_id, type(context.error).__name__, exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None and update.effective_user is not None:
        d = deps(context)
        with contextlib.suppress(Exception):
            lang = await ui_language(d, update.effective_user)
            await update.effective_message.reply_text(
                d.translate(lang, "Something went wrong on our side. Please try again in a moment."))
