"""The FastAPI service: the app factory; its lifespan builds the runtime once and channel apps mount here."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.body_limit import BodyLimit
from bot.channels.slack import events as slack_events
from bot.channels.telegram import webhook as telegram_webhook
from bot.http import admin_api, api, pages
from bot.rate_limit import RateLimiter
from bot.runtime import Runtime, build_runtime, hold_store
from bot.settings import Settings
from bot.web.security import docs_settings, install_security

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024


def create_app(settings: Settings, runtime: Runtime | None = None, public_url: str = "") -> FastAPI:
    """App factory. Without `runtime`, the lifespan becomes the store's writer (embedded store), builds the
    runtime and watches for newly ingested content; tests hand in their own runtime."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        lock = hold_store(settings, "serve", public_url) if runtime is None else None
        try:
            app.state.runtime = runtime or await asyncio.to_thread(build_runtime, settings)
            app.state.runtime.live.watch()
            app.state.telegram = await start_telegram(settings, app.state.runtime)
            app.state.slack = await start_slack(settings, app.state.runtime)
            yield
        finally:
            if getattr(app.state, "slack", None) is not None:
                await app.state.slack.stop()
                app.state.slack = None
            if getattr(app.state, "telegram", None) is not None:
                await app.state.telegram.stop()
                app.state.telegram = None
            if runtime is None and getattr(app.state, "runtime", None) is not None:
                app.state.runtime.close()
            if lock is not None:
                lock.release()

    app = FastAPI(title="Veiviser", lifespan=lifespan, **docs_settings())
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    app.state.telegram = None
    app.state.slack = None
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(admin_api.router)
    app.include_router(telegram_webhook.router)
    app.include_router(slack_events.router)
    app.add_middleware(BodyLimit, default_bytes=MAX_BODY_BYTES)
    install_security(app)  # outermost, so that every response, a refused body too, carries the headers
    return app


async def start_telegram(settings: Settings, runtime: Runtime):  # noqa: ANN201 - a TelegramChannel or None
    """The Telegram bot when TELEGRAM_BOT_TOKEN is set (webhook, or polling with TELEGRAM_POLLING), else None."""
    if not settings.telegram_bot_token.get_secret_value():
        return None
    from bot.channels.telegram.registration import TelegramChannel

    channel = TelegramChannel(settings, runtime, polling=settings.telegram_polling)
    await channel.start()
    return channel


async def start_slack(settings: Settings, runtime: Runtime):  # noqa: ANN201 - a SlackChannel or None
    """The Slack app when SLACK_BOT_TOKEN is set with SLACK_SIGNING_SECRET (events at /slack/events) and/or
    SLACK_APP_TOKEN (Socket Mode), else None."""
    if not settings.slack_bot_token.get_secret_value() or not (
            settings.slack_signing_secret.get_secret_value() or settings.slack_app_token.get_secret_value()):
        return None
    from bot.channels.slack.registration import SlackChannel

    channel = SlackChannel(settings, runtime)
    await channel.start()
    return channel
