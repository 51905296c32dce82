"""Slack handlers: mentions, direct messages and thread follow-ups become a `Question`; the answer goes back in a
thread as Block Kit. Registered in one place (`registration.py`); what they share with other channels is in
`bot.channels.conversation`. Events are acknowledged by bolt at once and answered in the background."""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass, field

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels import conversation
from bot.channels.conversation import ChannelRecords
from bot.channels.preview import PreviewEdits
from bot.channels.slack import render
from bot.logs import set_request_id
from bot.models import Answer, Question
from bot.rate_limit import RateLimiter
from bot.runtime import Runtime

log = logging.getLogger(__name__)
CHANNEL = "slack"
LOCALES = {"nb": "nb", "no": "nb", "nn": "nn", "sv": "sv", "en": "en"}
MENTION = re.compile(r"<@[UW][A-Z0-9]+(\|[^>]*)?>")
LOCALE_CACHE_SIZE = 5000


@dataclass
class Deps:
    """What the handlers need; one per bolt app."""

    runtime: Runtime
    people: ChannelRecords
    limiter: RateLimiter
    locales: dict[str, str | None] = field(default_factory=dict)

    def translate(self, lang: str | None, message: str, **params: object) -> str:
        return self.runtime.translator.translate(lang, message, **params)

    def slow_down(self, lang: str | None, wait: float) -> str:
        """The reply to a person over the rate limit: how long to wait."""
        return self.translate(lang, "You are sending many questions in a short time. Please wait {seconds} seconds "
                                    "and try again.", seconds=int(wait + 1))


def conversation_id(channel: str, thread_ts: str) -> str:
    """One conversation per thread."""
    return f"slack:{channel}:{thread_ts}"


def question_text(text: str) -> str:
    """The message without mentions of users (the bot's own mention included)."""
    return " ".join(MENTION.sub(" ", text or "").split())


def is_from_person(event: dict) -> bool:
    """False for bots (this one too), edits, joins and other subtypes."""
    return not event.get("bot_id") and not event.get("subtype") and bool(event.get("user"))


async def locale_hint(d: Deps, client: AsyncWebClient, user_id: str) -> str | None:
    """The user's Slack locale (users.info) as a language hint: nb, nn, sv, en; cached per user."""
    if user_id in d.locales:
        return d.locales[user_id]
    hint = None
    with contextlib.suppress(SlackApiError, OSError, ValueError, TypeError):
        info = await client.users_info(user=user_id, include_locale=True)
        code = str((info.get("user") or {}).get("locale") or "").lower().replace("_", "-").split("-")[0]
        hint = LOCALES.get(code)
    if len(d.locales) >= LOCALE_CACHE_SIZE:
        d.locales.clear()
    d.locales[user_id] = hint
    return hint


async def ui_language(d: Deps, client: AsyncWebClient, user_id: str) -> str:
    """The language of fixed replies: the stored choice, else the Slack locale, else Bokmål."""
    return await d.people.language(user_id) or await locale_hint(d, client, user_id) or "nb"


async def ask(d: Deps, client: AsyncWebClient, text: str, user_id: str, conversation: str = "") -> Answer:
    question = Question(text=text, lang_hint=await locale_hint(d, client, user_id), channel=CHANNEL,
                        user_id=user_id, conversation_id=conversation)
    return await d.runtime.answers.answer(question)


def mentor_ids(d: Deps, answer: Answer) -> list[str]:
    return conversation.mentor_ids(d.runtime.assistant.mentors, answer.mentors)


async def answer_in_thread(d: Deps, client: AsyncWebClient, event: dict, event_id: str) -> None:
    """Answer the message of `event` in a thread under it (or in its thread); apologise on failure."""
    channel, user_id = event["channel"], event["user"]
    thread_ts = event.get("thread_ts") or event["ts"]
    set_request_id(f"slack:{event_id}")  # bolt runs each event in its own task: the id stays with it
    try:
        wait = d.limiter.check(user_id)
        if wait:
            lang = await ui_language(d, client, user_id)
            await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=d.slow_down(lang, wait))
            return
        if d.runtime.answers.streams:
            await answer_while_written(d, client, event, channel, thread_ts)
            return
        answer = await ask(d, client, question_text(event.get("text", "")), user_id,
                           conversation_id(channel, thread_ts))
        await client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, text=render.plain(answer, d.runtime.translator),
            blocks=render.answer_blocks(answer, d.runtime.translator, mentor_ids(d, answer)),
            unfurl_links=False, unfurl_media=False)
    except Exception as exc:  # noqa: BLE001 - the person gets an apology, the log the event id (never the text)
        log.error("Slack event %s failed: %s", event_id, type(exc).__name__, exc_info=exc)
        with contextlib.suppress(Exception):
            lang = await ui_language(d, client, user_id)
            await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=d.translate(
                lang, "Something went wrong on our side. Please try again in a moment."))


async def answer_while_written(d: Deps, client: AsyncWebClient, event: dict, channel: str, thread_ts: str) -> None:
    """With a language model: a placeholder in the thread at once, updated a few times while the answer is written,
    and finally replaced by the answer."""
    user_id = event["user"]
    placeholder = await client.chat_postMessage(channel=channel, thread_ts=thread_ts,
                                                text=d.translate(await ui_language(d, client, user_id), "Thinking…"))
    question = Question(text=question_text(event.get("text", "")), lang_hint=await locale_hint(d, client, user_id),
                        channel=CHANNEL, user_id=user_id, conversation_id=conversation_id(channel, thread_ts))
    edits, answer = PreviewEdits(), None
    async for item in d.runtime.answers.stream(question):
        if isinstance(item, Answer):
            answer = item
        elif (text := edits.due(item)) is not None:
            with contextlib.suppress(SlackApiError):
                await client.chat_update(channel=channel, ts=placeholder["ts"], text=render.escape(text))
    await client.chat_update(channel=channel, ts=placeholder["ts"], text=render.plain(answer, d.runtime.translator),
                             blocks=render.answer_blocks(answer, d.runtime.translator, mentor_ids(d, answer)))


async def first_delivery(d: Deps, body: dict) -> bool:
    """Claim the event id (across retries, processes and restarts); False when it was answered before."""
    event_id = str(body.get("event_id") or "")
    if not event_id:
        return True
    if await d.people.claim(event_id):
        return True
    log.info("Slack event %s was delivered before; not answered again", event_id)
    return False


async def app_mention(d: Deps, body: dict, event: dict, client: AsyncWebClient) -> None:
    """A mention in a channel: answered in a thread under it. (Direct messages are `message` events.)"""
    if not is_from_person(event) or str(event.get("channel", "")).startswith("D"):
        return
    if await first_delivery(d, body):
        await answer_in_thread(d, client, event, str(body.get("event_id")))


def answer_all_channels(d: Deps) -> set[str]:
    """The channels configured as "answer every question" (SLACK_ANSWER_CHANNELS); elsewhere mentions only."""
    return {c.strip() for c in d.runtime.settings.slack_answer_channels.split(",") if c.strip()}


async def message(d: Deps, body: dict, event: dict, client: AsyncWebClient, context: dict) -> None:
    """A direct message; a follow-up in a thread where the bot answered (no mention needed); or, in a channel
    configured to answer every question, any new message."""
    if not is_from_person(event):
        return
    if event.get("channel_type") != "im":
        bot_user = context.get("bot_user_id") or ""
        if bot_user and f"<@{bot_user}" in event.get("text", ""):
            return  # a mention: answered by app_mention
        thread_ts = event.get("thread_ts")
        if thread_ts:
            if not await d.people.has_conversation(conversation_id(event["channel"], thread_ts)):
                return
        elif event["channel"] not in answer_all_channels(d):
            return
    if await first_delivery(d, body):
        await answer_in_thread(d, client, event, str(body.get("event_id")))


async def app_home_opened(d: Deps, body: dict, event: dict, client: AsyncWebClient) -> None:
    """The Home tab: what Veiviser does, the course modules and the user's open mentor requests."""
    if event.get("tab", "home") != "home":
        return
    user_id = event["user"]
    lang = await ui_language(d, client, user_id)
    modules = conversation.course_modules(d.runtime.live.current(), lang, d.runtime.settings.public_base_url)
    requests = await d.people.open_mentor_requests(user_id)
    names = {m.id: m.name for m in d.runtime.assistant.mentors}
    await client.views_publish(user_id=user_id,
                               view=render.home_view(d.runtime.translator, lang, modules, requests, names))
