"""Slack buttons (block actions): feedback, "talk to a mentor" with consent, "share in channel", the language
choice and the confirmation of "forget". Every press is acknowledged at once; the reply goes through the action's
response URL (only the presser sees it)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels import conversation
from bot.channels.slack import render
from bot.channels.slack.commands import language_chosen
from bot.channels.slack.handlers import Deps, ui_language

log = logging.getLogger(__name__)
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def pressed(body: dict) -> render.Value:
    return render.Value.parse((body.get("actions") or [{}])[0].get("value"))


def where(body: dict) -> str:
    """"channel:thread_ts" of the pressed message (the thread it is in, else the message itself)."""
    container, message = body.get("container") or {}, body.get("message") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
    thread = container.get("thread_ts") or message.get("thread_ts") or container.get("message_ts") or ""
    return f"{channel}:{thread}"


async def feedback(d: Deps, ack, respond, body: dict, client: AsyncWebClient) -> None:  # noqa: ANN001
    """👍 / 👎 under an answer: stored against its turn."""
    await ack()
    value = pressed(body)
    user_id = body["user"]["id"]
    stored = await d.people.feedback(value.get(1), value.get(0) == "1")
    lang = await ui_language(d, client, user_id)
    await respond(response_type="ephemeral", replace_original=False,
                  text=d.translate(lang, "Thank you for your feedback!") if stored
                  else d.translate(lang, "This answer is no longer stored."))


async def mentor(d: Deps, ack, respond, body: dict, client: AsyncWebClient) -> None:  # noqa: ANN001
    """"Talk to <mentor>": ask for consent before anything is recorded or sent."""
    await ack()
    value = pressed(body)
    lang = await ui_language(d, client, body["user"]["id"])
    found = conversation.find_mentor(d.runtime.assistant.mentors, value.get(0))
    if found is None:
        await respond(response_type="ephemeral", replace_original=False,
                      text=d.translate(lang, "This button is no longer active."))
        return
    await respond(response_type="ephemeral", replace_original=False,
                  text=d.translate(lang, "Talk to {name}", name=found.name),
                  blocks=render.consent_blocks(found.name, found.organisation, found.id, value.get(1), where(body),
                                               d.runtime.translator, lang))


async def mentor_agreed(d: Deps, ack, respond, body: dict, client: AsyncWebClient) -> None:  # noqa: ANN001
    """Consent given: record the request, DM the mentor (Slack user id in mentors.yaml) and tell the asker."""
    await ack()
    value = pressed(body)
    user_id = body["user"]["id"]
    lang = await ui_language(d, client, user_id)
    found = conversation.find_mentor(d.runtime.assistant.mentors, value.get(0))
    if found is None:
        await respond(replace_original=True, text=d.translate(lang, "This button is no longer active."))
        return
    contact = await d.people.request_mentor(user_id, found, value.get(1) or None)
    slack_id = found.contact.get("slack", "")
    if SLACK_USER_ID.match(slack_id) and await dm_mentor(d, client, slack_id, user_id, value):
        text = d.translate(lang, "I have sent {name} ({organisation}) a message. They will follow up with you "
                                 "here in Slack.", name=found.name, organisation=found.organisation)
    else:
        reach = ", ".join(v for k, v in found.contact.items() if k in ("email", "telegram") and v)
        text = d.translate(lang, "You can reach {name} ({organisation}) at {contact}. The team has your request.",
                           name=found.name, organisation=found.organisation, contact=reach)
    if found.available:
        text += "\n" + d.translate(lang, "Available: {when}", when=found.available)
    log.info("Slack mentor request %s recorded", contact.request_id)
    await respond(replace_original=True, text=text)


async def dm_mentor(d: Deps, client: AsyncWebClient, mentor_user: str, user_id: str, value: render.Value) -> bool:
    """A DM to the mentor with a short summary and a link to the thread; False when Slack refused it."""
    turn = await asyncio.to_thread(d.runtime.records.turn, value.get(1)) if value.get(1) else None
    channel, _, thread_ts = value.get(2).partition(":")
    permalink = None
    if channel and thread_ts:
        with contextlib.suppress(SlackApiError, OSError):
            permalink = (await client.chat_getPermalink(channel=channel, message_ts=thread_ts)).get("permalink")
    try:
        opened = await client.conversations_open(users=mentor_user)
        lang = await ui_language(d, client, mentor_user)
        await client.chat_postMessage(
            channel=opened["channel"]["id"], unfurl_links=False,
            text=render.mentor_dm_text(user_id, (turn or {}).get("question", ""), permalink, d.runtime.translator,
                                       lang))
    except (SlackApiError, OSError) as exc:
        log.warning("Slack DM to a mentor failed: %s", type(exc).__name__)
        return False
    return True


async def mentor_declined(d: Deps, ack, respond, body: dict, client: AsyncWebClient) -> None:  # noqa: ANN001
    await ack()
    lang = await ui_language(d, client, body["user"]["id"])
    await respond(replace_original=True, text=d.translate(lang, "OK, no request was sent."))


async def share(d: Deps, ack, respond, body: dict, client: AsyncWebClient) -> None:  # noqa: ANN001
    """"Share in channel" under an ephemeral answer: the question and answer posted for everyone."""
    await ack()
    user_id = body["user"]["id"]
    turn = await asyncio.to_thread(d.runtime.records.turn, pressed(body).get(0))
    if turn is None:
        lang = await ui_language(d, client, user_id)
        await respond(replace_original=False, text=d.translate(lang, "This answer is no longer stored."))
        return
    await respond(response_type="in_channel", replace_original=False, delete_original=False,
                  text=turn["answer"][:render.MAX_FALLBACK_CHARS],
                  blocks=render.shared_blocks(turn["question"], turn["answer"], user_id, d.runtime.translator,
                                              turn["language"]))


async def language(d: Deps, ack, respond, body: dict) -> None:  # noqa: ANN001
    """A language button: the choice is stored and confirmed in the chosen language."""
    await ack()
    code = pressed(body).get(0)
    if code not in render.LANGUAGE_CHOICES:
        return
    await d.people.choose_language(body["user"]["id"], code)
    await respond(replace_original=True, text=language_chosen(d, code))


async def forget(d: Deps, ack, respond, body: dict, client: AsyncWebClient) -> None:  # noqa: ANN001
    """The answer to "forget"'s confirmation: delete everything stored about the presser, or nothing."""
    await ack()
    user_id = body["user"]["id"]
    lang = await ui_language(d, client, user_id)
    if pressed(body).get(0) != "y":
        await respond(replace_original=True, text=d.translate(lang, "Nothing was deleted."))
        return
    count = await d.people.forget(user_id)
    await respond(replace_original=True, text=d.translate(
        lang, "Done. I have deleted everything stored about you ({count} records).", count=count))


async def link(ack) -> None:  # noqa: ANN001
    """A link button: Slack opens the URL; the press only needs acknowledging."""
    await ack()
