"""The Slack app: bolt's `AsyncApp` with every listener registered here, its Web API client (pointed at
SLACK_API_BASE_URL when set, retrying 429s after `Retry-After`), and the request handler behind
`POST /slack/events` — or Socket Mode when SLACK_APP_TOKEN is set."""

from __future__ import annotations

import logging
import re

from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.conversation import ChannelRecords
from bot.channels.slack import buttons, commands, handlers, render, shortcuts
from bot.channels.slack.handlers import CHANNEL, Deps
from bot.rate_limit import RateLimiter
from bot.runtime import Runtime
from bot.settings import Settings

log = logging.getLogger(__name__)
DEFAULT_API_BASE_URL = AsyncWebClient.BASE_URL
RATE_LIMIT_RETRIES = 3


def web_client(settings: Settings) -> AsyncWebClient:
    """The Web API client: Slack's, or the one at SLACK_API_BASE_URL; 429s are retried after `Retry-After`."""
    base = settings.slack_api_base_url or DEFAULT_API_BASE_URL
    client = AsyncWebClient(token=settings.slack_bot_token.get_secret_value(),
                            base_url=base if base.endswith("/") else base + "/")
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    return client


def build_app(settings: Settings, runtime: Runtime) -> AsyncApp:
    """The bolt app with every listener; bolt verifies each request's signature and acknowledges events."""
    d = Deps(runtime, ChannelRecords(runtime.records, CHANNEL),
             RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst))
    app = AsyncApp(client=web_client(settings), signing_secret=settings.slack_signing_secret.get_secret_value(),
                   process_before_response=False, ignoring_self_events_enabled=True)

    @app.event("app_mention")
    async def on_mention(body, event, client):  # noqa: ANN001, ANN202
        await handlers.app_mention(d, body, event, client)

    @app.event("message")
    async def on_message(body, event, client, context):  # noqa: ANN001, ANN202
        await handlers.message(d, body, event, client, context)

    @app.event("app_home_opened")
    async def on_home(body, event, client):  # noqa: ANN001, ANN202
        await handlers.app_home_opened(d, body, event, client)

    @app.command("/veiviser")
    async def on_command(ack, respond, command, client):  # noqa: ANN001, ANN202
        await commands.veiviser(d, ack, respond, command, client)

    @app.action(re.compile(f"^{render.FEEDBACK}_(up|down)$"))
    async def on_feedback(ack, respond, body, client):  # noqa: ANN001, ANN202
        await buttons.feedback(d, ack, respond, body, client)

    @app.action(re.compile(f"^{render.MENTOR}_[0-9]+$"))
    async def on_mentor(ack, respond, body, client):  # noqa: ANN001, ANN202
        await buttons.mentor(d, ack, respond, body, client)

    @app.action(render.MENTOR_YES)
    async def on_mentor_yes(ack, respond, body, client):  # noqa: ANN001, ANN202
        await buttons.mentor_agreed(d, ack, respond, body, client)

    @app.action(render.MENTOR_NO)
    async def on_mentor_no(ack, respond, body, client):  # noqa: ANN001, ANN202
        await buttons.mentor_declined(d, ack, respond, body, client)

    @app.action(render.SHARE)
    async def on_share(ack, respond, body, client):  # noqa: ANN001, ANN202
        await buttons.share(d, ack, respond, body, client)

    @app.action(render.LINK)
    async def on_link(ack):  # noqa: ANN001, ANN202
        await buttons.link(ack)

    @app.action(re.compile(f"^{render.LANGUAGE}_[a-z]{{2}}$"))
    async def on_language(ack, respond, body):  # noqa: ANN001, ANN202
        await buttons.language(d, ack, respond, body)

    @app.action(re.compile(f"^({render.FORGET_YES}|{render.FORGET_NO})$"))
    async def on_forget(ack, respond, body, client):  # noqa: ANN001, ANN202
        await buttons.forget(d, ack, respond, body, client)

    @app.shortcut(render.ASK_MESSAGE_SHORTCUT)
    async def on_message_shortcut(ack, respond, shortcut, client):  # noqa: ANN001, ANN202
        await shortcuts.ask_about_message(d, ack, respond, shortcut, client)

    @app.shortcut(render.ASK_SHORTCUT)
    async def on_global_shortcut(ack, shortcut, client):  # noqa: ANN001, ANN202
        await shortcuts.open_ask_modal(d, ack, shortcut, client)

    @app.view(render.ASK_MODAL)
    async def on_modal(ack, body, view, client):  # noqa: ANN001, ANN202
        await shortcuts.ask_from_modal(d, ack, body, view, client)

    return app


class SlackChannel:
    """The running Slack channel: the bolt app, the HTTP handler behind `POST /slack/events` (only with a signing
    secret) and, with SLACK_APP_TOKEN, a Socket Mode connection (no public URL needed)."""

    def __init__(self, settings: Settings, runtime: Runtime) -> None:
        self.app = build_app(settings, runtime)
        signed = bool(settings.slack_signing_secret.get_secret_value())
        self.handler = AsyncSlackRequestHandler(self.app) if signed else None
        self.app_token = settings.slack_app_token.get_secret_value()
        self.socket = None

    def socket_handler(self):  # noqa: ANN201 - an AsyncSocketModeHandler
        """The Socket Mode adapter (aiohttp) over the same bolt app and Web API client."""
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        return AsyncSocketModeHandler(self.app, self.app_token)

    async def start(self) -> None:
        if self.app_token:
            self.socket = self.socket_handler()
            await self.socket.connect_async()
            log.info("Slack: connected in Socket Mode")
        if self.handler is not None:
            log.info("Slack: receiving events at /slack/events")

    async def stop(self) -> None:
        if self.socket is not None:
            await self.socket.close_async()
            self.socket = None
