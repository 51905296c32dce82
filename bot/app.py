"""The FastAPI service: the app factory; its lifespan builds the runtime once and channel apps mount here."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from bot.admin import content_pages, pages as admin_pages
from bot.admin.summary import SlackStaffSummary
from bot.admin.watch import watch_folders
from bot.admin.web import STATIC, AdminState, LoginRequired
from bot.body_limit import BodyLimit
from bot.channels.slack import events as slack_events
from bot.channels.telegram import webhook as telegram_webhook
from bot.http import admin_api, api, pages
from bot.http.observe import Observe
from bot.rate_limit import RateLimiter
from bot.runtime import Runtime, build_runtime, hold_store
from bot.settings import Settings
from bot.web.security import docs_settings, install_security

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 64 * 1024
UPLOAD_PATHS = ("/admin/api/files", "/admin/content/upload")
MULTIPART_OVERHEAD = 64 * 1024


def create_app(settings: Settings, runtime: Runtime | None = None, public_url: str = "") -> FastAPI:
    """App factory. Without `runtime`, the lifespan becomes the store's writer (embedded store), builds the
    runtime and watches for newly ingested content; tests hand in their own runtime."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        lock = hold_store(settings, "serve", public_url) if runtime is None else None
        listeners, watcher = [], None
        try:
            app.state.runtime = runtime or await asyncio.to_thread(build_runtime, settings)
            app.state.runtime.live.watch()
            app.state.runtime.health.start()
            listeners = start_staff_listeners(app, settings)
            watcher = start_watcher(app, settings)
            app.state.telegram = await start_telegram(settings, app.state.runtime)
            app.state.slack = await start_slack(settings, app.state.runtime)
            yield
        finally:
            if watcher is not None:
                watcher[0].set()
                await asyncio.wait_for(watcher[1], 10)
            for listener in listeners:
                app.state.runtime.ingest.listeners.remove(listener)
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
    app.state.admin = AdminState()
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(admin_api.router)
    app.include_router(admin_pages.router)
    app.include_router(content_pages.router)
    app.mount("/admin/static", StaticFiles(directory=STATIC), name="admin-static")
    app.add_exception_handler(LoginRequired, _to_login)
    app.include_router(telegram_webhook.router)
    app.include_router(slack_events.router)
    upload_limit = settings.admin_upload_max_mb * 1_048_576 + MULTIPART_OVERHEAD
    app.add_middleware(BodyLimit, default_bytes=MAX_BODY_BYTES, by_prefix={p: upload_limit for p in UPLOAD_PATHS})
    install_security(app)  # so that every response, a refused body too, carries the headers
    app.add_middleware(Observe)  # outermost: request id and metrics for every request
    return app


async def _to_login(request: Request, exc: LoginRequired) -> RedirectResponse:
    """A page that needs a staff member sends anyone else to the login form (and back afterwards)."""
    from urllib.parse import quote

    return RedirectResponse(f"/admin/login?next={quote(exc.next_path)}", 303)


def start_staff_listeners(app: FastAPI, settings: Settings) -> list:
    """After every re-ingest, from any route: keep the report for the Content page; post the staff summary to
    Slack when SLACK_STAFF_CHANNEL is set."""
    rt = app.state.runtime
    listeners = [app.state.admin.ingest_log]
    slack = SlackStaffSummary.configured(settings, rt.translator)
    if slack is not None:
        listeners.append(slack)
    rt.ingest.listeners.extend(listeners)
    return listeners


def start_watcher(app: FastAPI, settings: Settings) -> tuple[asyncio.Event, asyncio.Task] | None:
    """With WATCH_KNOWLEDGE, a task that re-ingests when the knowledge folders change."""
    if not settings.watch_knowledge:
        return None
    rt = app.state.runtime
    stop = asyncio.Event()

    async def reingest() -> None:
        await asyncio.to_thread(rt.ingest.run, None, "watch")

    task = asyncio.create_task(watch_folders(list(rt.ingest.folders), reingest, settings.watch_debounce_s, stop))
    return stop, task


def app_from_environment() -> FastAPI:
    """The app of one worker of `veiviser serve --workers N` (uvicorn calls this in each worker process): settings
    from the environment the CLI prepared, logging set up as they say."""
    from bot import logs

    settings = Settings()
    logs.configure(settings.log_format, logging.WARNING)
    return create_app(settings, public_url=settings.public_base_url)


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
