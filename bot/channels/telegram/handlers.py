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
from bot.channels.telegram import render
from bot.models import Answer, Question
from bot.rate_limit import RateLimiter
from bot.runtime import Runtime

log = logging.getLogger(__name__)
CHANNEL = "telegram"
LANGUAGE_CODES = {"nb": "nb", "no": "nb", "nn": "nn", "sv": "sv"}
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
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
    """Shows "typing…" in the chat until the block ends (refreshed, as Telegram shows it for 5 s)."""
    async def keep_typing() -> None:
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
    wait = d.limiter.check(str(user.id))
    if wait:
        lang = await ui_language(d, user)
        await message.reply_text(d.translate(lang, "You are sending many questions in a short time. Please wait {seconds} "
                                           "seconds and try again.", seconds=int(wait + 1)), do_quote=quote)
        return
    question = Question(text=text, lang_hint=language_hint(user), channel=CHANNEL, user_id=str(user.id),
                        conversation_id=conversation_id(message))
    async with typing(message):
        answer = await d.runtime.answers.answer(question)
    await send_answer(message, answer, d, quote)


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


async def start(update: Update, context: Context) -> None:
    """/start: welcome, or with a deep link (`?start=m04`) that module."""
    d = deps(context)
    lang = await ui_language(d, update.effective_user)
    if context.args:
        modules = conversation.course_modules(d.runtime.live.current(), lang, d.runtime.settings.public_base_url)
        module = conversation.module_by_key(modules, context.args[0])
        if module is not None:
            await update.effective_message.reply_text(
                render.modules_text([module], d.runtime.translator, lang), parse_mode=ParseMode.HTML,
                reply_markup=render.modules_keyboard([module], d.runtime.translator, lang),
                link_preview_options=NO_PREVIEW)
            return
    text = d.translate(lang, "Hi! I am Veiviser. I help you start and run a social enterprise in Norway and Sweden. "
                     "Ask me about legal forms, funding, selling to municipalities, impact or volunteers.")
    choose = d.translate(lang, "I answer in Bokmål, Nynorsk or Swedish: the language you write in, or the one you choose here.")
    await update.effective_message.reply_text(f"{text}\n\n{choose}",
                                              reply_markup=render.language_keyboard(d.runtime.translator, lang))


async def help_command(update: Update, context: Context) -> None:
    """/help: what the bot does and its commands."""
    d = deps(context)
    lang = await ui_language(d, update.effective_user)
    await update.effective_message.reply_text(d.translate(
        lang, "Ask me anything about starting and running a social enterprise in Norway or Sweden, in your own "
              "words. I answer from the course material, point you to the module to read next and to a mentor.\n\n"
              "/modules – the course modules\n/mentor TOPIC – find a mentor\n/language – choose the answer "
              "language\n/forget – delete everything stored about you\n\nIn a group, mention me or reply to me."))


async def modules(update: Update, context: Context) -> None:
    """/modules: the course modules as link buttons, in the user's language."""
    d = deps(context)
    lang = await ui_language(d, update.effective_user)
    found = conversation.course_modules(d.runtime.live.current(), lang, d.runtime.settings.public_base_url)
    if not found:
        await update.effective_message.reply_text(d.translate(lang, "There are no course modules yet."))
        return
    await update.effective_message.reply_text(
        render.modules_text(found, d.runtime.translator, lang), parse_mode=ParseMode.HTML,
        reply_markup=render.modules_keyboard(found, d.runtime.translator, lang), link_preview_options=NO_PREVIEW)


async def mentor(update: Update, context: Context) -> None:
    """/mentor TOPIC: mentors for a topic (and region), with a button to get in touch."""
    d = deps(context)
    user = update.effective_user
    topic = " ".join(context.args or [])
    if not topic:
        lang = await ui_language(d, user)
        await update.effective_message.reply_text(d.translate(
            lang, "Write /mentor followed by what you need help with, for example: /mentor funding in Trøndelag"))
        return
    question = Question(text=topic, lang_hint=language_hint(user), channel=CHANNEL, user_id=str(user.id),
                        conversation_id=conversation_id(update.effective_message))
    answer = await d.runtime.answers.answer(question)
    if not answer.mentors:
        await update.effective_message.reply_text(d.translate(answer.language, "I found no mentor for this. Try other words."))
        return
    only_mentors = Answer(answer.question, answer.language, "", answer.confident, mentors=answer.mentors,
                          turn_id=answer.turn_id)
    await send_answer(update.effective_message, only_mentors, d)


async def language(update: Update, context: Context) -> None:
    """/language [nb|nn|sv|en]: choose the answer language (stored), with buttons when no code is given."""
    d = deps(context)
    user = update.effective_user
    code = (context.args or [""])[0].lower()
    if code in render.LANGUAGE_CHOICES:
        await d.people.choose_language(str(user.id), code)
        await update.effective_message.reply_text(language_chosen(d, code))
        return
    lang = await ui_language(d, user)
    await update.effective_message.reply_text(d.translate(lang, "Which language shall I answer in?"),
                                              reply_markup=render.language_keyboard(d.runtime.translator, lang))


def language_chosen(d: Deps, code: str) -> str:
    return d.translate(code, "I will answer you in {language} from now on.",
               language=d.runtime.translator.language_name(code, code))


async def forget(update: Update, context: Context) -> None:
    """/forget: ask for confirmation before deleting everything stored about the user."""
    d = deps(context)
    lang = await ui_language(d, update.effective_user)
    await update.effective_message.reply_text(
        d.translate(lang, "Shall I delete everything stored about you: your questions, feedback, mentor requests and "
                  "language choice? This cannot be undone."),
        reply_markup=render.confirm_keyboard(d.translate(lang, "Yes, delete"), d.translate(lang, "No"), "fg:y", "fg:n"))


async def forget_button(update: Update, context: Context) -> None:
    """The answer to /forget's confirmation."""
    d, query = deps(context), update.callback_query
    lang = await ui_language(d, query.from_user)
    await query.answer()
    if render.Callback.parse(query.data).args[:1] == ("y",):
        count = await d.people.forget(str(query.from_user.id))
        await query.edit_message_text(d.translate(lang, "Done. I have deleted everything stored about you ({count} records).",
                                          count=count))
    else:
        await query.edit_message_text(d.translate(lang, "Nothing was deleted."))


async def feedback_button(update: Update, context: Context) -> None:
    """👍 / 👎 under an answer: stored against its turn."""
    d, query = deps(context), update.callback_query
    helpful, turn_id = render.Callback.parse(query.data).args[:2]
    lang = await ui_language(d, query.from_user)
    stored = await d.people.feedback(turn_id, helpful == "1")
    await query.answer(d.translate(lang, "Thank you for your feedback!") if stored
                       else d.translate(lang, "This answer is no longer stored."))


async def mentor_button(update: Update, context: Context) -> None:
    """"Talk to <mentor>": ask the user to agree before the request is recorded."""
    d, query = deps(context), update.callback_query
    args = render.Callback.parse(query.data).args
    found = conversation.find_mentor(d.runtime.assistant.mentors, args[0] if args else "")
    lang = await ui_language(d, query.from_user)
    await query.answer()
    if found is None:
        await query.message.reply_text(d.translate(lang, "This button is no longer active."))
        return
    turn = args[1] if len(args) > 1 else ""
    await query.message.reply_text(
        d.translate(lang, "Shall I put you in touch with {name} ({organisation})? The team will see your question so that "
                  "they can follow up.", name=found.name, organisation=found.organisation),
        reply_markup=render.confirm_keyboard(d.translate(lang, "Yes, please"), d.translate(lang, "No"),
                                             render.callback_data("my", found.id, turn), "mn"))


async def mentor_agreed(update: Update, context: Context) -> None:
    """The user agreed: record the mentor request and send the mentor's contact."""
    d, query = deps(context), update.callback_query
    args = render.Callback.parse(query.data).args
    found = conversation.find_mentor(d.runtime.assistant.mentors, args[0] if args else "")
    lang = await ui_language(d, query.from_user)
    await query.answer()
    if found is None:
        await query.edit_message_text(d.translate(lang, "This button is no longer active."))
        return
    await d.people.request_mentor(str(query.from_user.id), found, args[1] if len(args) > 1 and args[1] else None)
    contact = ", ".join(v for k, v in found.contact.items() if k in ("telegram", "email") and v)
    text = d.translate(lang, "You can reach {name} ({organisation}) at {contact}. The team has your request.",
               name=found.name, organisation=found.organisation, contact=contact)
    if found.available:
        text += "\n" + d.translate(lang, "Available: {when}", when=found.available)
    await query.edit_message_text(text)


async def mentor_declined(update: Update, context: Context) -> None:
    """The user did not want to be put in touch."""
    d, query = deps(context), update.callback_query
    lang = await ui_language(d, query.from_user)
    await query.answer()
    await query.edit_message_text(d.translate(lang, "OK, no request was sent."))


async def language_button(update: Update, context: Context) -> None:
    """A language button of /start or /language: the choice is stored."""
    d, query = deps(context), update.callback_query
    code = (render.Callback.parse(query.data).args or ("",))[0]
    if code not in render.LANGUAGE_CHOICES:
        await stale_button(update, context)
        return
    await d.people.choose_language(str(query.from_user.id), code)
    await query.answer()
    await query.edit_message_text(language_chosen(d, code))


async def stale_button(update: Update, context: Context) -> None:
    """A button this bot does not know (any more): answered, so the client stops waiting."""
    d, query = deps(context), update.callback_query
    lang = await ui_language(d, query.from_user)
    await query.answer(d.translate(lang, "This button is no longer active."))


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
