"""Telegram buttons (callback queries): feedback, mentor requests, language choice, forget; every press is
answered, a stale or unknown one too."""

from __future__ import annotations

from telegram import Update

from bot.channels import conversation
from bot.channels.telegram import render
from bot.channels.telegram.commands import language_chosen
from bot.channels.telegram.handlers import Context, deps, ui_language


async def forget_button(update: Update, context: Context) -> None:
    """The answer to /forget's confirmation."""
    d, query = deps(context), update.callback_query
    lang = await ui_language(d, query.from_user)
    await query.answer()
    if render.Callback.parse(query.data).args[:1] == ("y",):
        count = await d.people.forget(str(query.from_user.id))
        await query.edit_message_text(
            d.translate(lang, "Done. I have deleted everything stored about you ({count} records).", count=count))
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
    args, found, lang = await _pressed_mentor(d, query)
    if found is None:
        await query.message.reply_text(d.translate(lang, "This button is no longer active."))
        return
    turn = args[1] if len(args) > 1 else ""
    await query.message.reply_text(
        d.translate(lang, "Shall I put you in touch with {name} ({organisation})? The team will see your question "
                          "so that they can follow up.", name=found.name, organisation=found.organisation),
        reply_markup=render.confirm_keyboard(d.translate(lang, "Yes, please"), d.translate(lang, "No"),
                                             render.callback_data("my", found.id, turn), "mn"))


async def mentor_agreed(update: Update, context: Context) -> None:
    """The user agreed: record the mentor request and send the mentor's contact."""
    d, query = deps(context), update.callback_query
    args, found, lang = await _pressed_mentor(d, query)
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


async def _pressed_mentor(d, query):  # noqa: ANN001, ANN202 - the channel's deps and a CallbackQuery
    """The button's arguments, the mentor it names (None when gone) and the user's language; answers the query."""
    args = render.Callback.parse(query.data).args
    found = conversation.find_mentor(d.runtime.assistant.mentors, args[0] if args else "")
    lang = await ui_language(d, query.from_user)
    await query.answer()
    return args, found, lang
