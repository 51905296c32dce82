"""Slack shortcuts: "Ask Veiviser about this" on a message (answered for the presser alone, with a button to share
the answer), and the global "Ask Veiviser" (a modal with one question field; the answer comes as a direct message,
where follow-ups need no mention). Both are acknowledged at once."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.slack import render
from bot.channels.slack.handlers import Deps, ask, mentor_ids, question_text, ui_language

log = logging.getLogger(__name__)


async def ask_about_message(d: Deps, ack, respond, shortcut: dict, client: AsyncWebClient) -> None:  # noqa: ANN001
    """The message shortcut: the chosen message's text is the question; only the presser sees the answer."""
    await ack()
    user_id = shortcut["user"]["id"]
    text = question_text((shortcut.get("message") or {}).get("text", ""))
    lang = await ui_language(d, client, user_id)
    if not text:
        await respond(response_type="ephemeral", text=d.translate(lang, "This message has no text I can answer."))
        return
    wait = d.limiter.check(user_id)
    if wait:
        await respond(response_type="ephemeral", text=d.slow_down(lang, wait))
        return
    answer = await ask(d, client, text, user_id)
    await respond(response_type="ephemeral", text=render.plain(answer, d.runtime.translator),
                  blocks=render.answer_blocks(answer, d.runtime.translator, mentor_ids(d, answer), share=True))


async def open_ask_modal(d: Deps, ack, shortcut: dict, client: AsyncWebClient) -> None:  # noqa: ANN001
    """The global shortcut: a modal asking for the question (opened with the shortcut's trigger id)."""
    await ack()
    user_id = shortcut["user"]["id"]
    lang = await ui_language(d, client, user_id)
    try:
        await client.views_open(trigger_id=shortcut["trigger_id"], view=render.ask_modal(d.runtime.translator, lang))
    except SlackApiError as exc:
        log.warning("Slack: the question modal could not be opened: %s", exc.response.get("error"))


async def ask_from_modal(d: Deps, ack, body: dict, view: dict, client: AsyncWebClient) -> None:  # noqa: ANN001
    """The modal's question: an empty one is refused in the modal; otherwise the modal closes and the answer
    arrives as a direct message."""
    user_id = body["user"]["id"]
    question = render.modal_question(view)
    lang = await ui_language(d, client, user_id)
    if not question:
        await ack(response_action="errors",
                  errors={render.QUESTION_INPUT: d.translate(lang, "Write a question first.")})
        return
    await ack()
    try:
        opened = await client.conversations_open(users=user_id)
        channel = opened["channel"]["id"]
        wait = d.limiter.check(user_id)
        if wait:
            await client.chat_postMessage(channel=channel, text=d.slow_down(lang, wait))
            return
        answer = await ask(d, client, question, user_id)
        await client.chat_postMessage(
            channel=channel, text=render.plain(answer, d.runtime.translator), unfurl_links=False, unfurl_media=False,
            blocks=render.asked_blocks(question, answer, d.runtime.translator, mentor_ids(d, answer)))
    except SlackApiError as exc:
        log.warning("Slack: the answer to a modal question could not be sent: %s", exc.response.get("error"))
