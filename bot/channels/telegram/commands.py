"""Telegram commands: /start (with deep links), /help, /modules, /mentor, /language, /forget."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.channels import conversation
from bot.channels.telegram import render
from bot.channels.telegram.handlers import (CHANNEL, NO_PREVIEW, Context, Deps, conversation_id, deps, language_hint,
                                            send_answer, ui_language)
from bot.models import Answer, Question


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
    choose = d.translate(lang, "I answer in Bokmål, Nynorsk or Swedish: the language you write in, or the one you "
                               "choose here.")
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
        await update.effective_message.reply_text(
            d.translate(answer.language, "I found no mentor for this. Try other words."))
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
