"""Builds the bot: the python-telegram-bot `Application`, every handler in one place, the localised command menu,
and the webhook registration (or long polling for local use)."""

from __future__ import annotations

import hashlib
import hmac
import logging

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import (AIORateLimiter, Application, CallbackQueryHandler, CommandHandler, InlineQueryHandler,
                          MessageHandler, filters)

from bot.channels.conversation import ChannelRecords
from bot.channels.telegram import buttons, commands, handlers
from bot.i18n import N_, UI_LANGUAGES, Translator
from bot.rate_limit import RateLimiter
from bot.runtime import Runtime
from bot.settings import Settings

log = logging.getLogger(__name__)
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "inline_query"]
CONCURRENT_UPDATES = 32
COMMANDS = (
    ("start", N_("Welcome, what I can do, language")),
    ("help", N_("How to ask me")),
    ("modules", N_("The course modules")),
    ("mentor", N_("Find a mentor by topic and region")),
    ("language", N_("Choose Bokmål, Nynorsk or Swedish")),
    ("forget", N_("Delete everything stored about me")),
)


class TelegramUnavailable(RuntimeError):
    """The bot could not start: a wrong token, or the Bot API cannot be reached."""


def webhook_secret(settings: Settings) -> str:
    """TELEGRAM_WEBHOOK_SECRET, or one derived from the token (the same in every process of one bot)."""
    configured = settings.telegram_webhook_secret.get_secret_value()
    if configured:
        return configured
    token = settings.telegram_bot_token.get_secret_value().encode()
    return hmac.new(token, b"veiviser telegram webhook", hashlib.sha256).hexdigest()


def register(application: Application) -> None:
    """Every handler of the bot, in order of precedence."""
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    messages = filters.UpdateType.MESSAGES  # new and edited messages (an edit is answered as a new question)
    application.add_handlers([
        CommandHandler("start", commands.start),
        CommandHandler("help", commands.help_command),
        CommandHandler("modules", commands.modules),
        CommandHandler("mentor", commands.mentor),
        CommandHandler("language", commands.language),
        CommandHandler("forget", commands.forget),
        MessageHandler(private & messages & filters.TEXT & ~filters.COMMAND, handlers.private_text),
        MessageHandler(groups & messages & filters.TEXT & ~filters.COMMAND, handlers.group_text),
        MessageHandler(private & filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                       handlers.not_text),
        CallbackQueryHandler(buttons.feedback_button, pattern=r"^fb:[01]:\w+$"),
        CallbackQueryHandler(buttons.mentor_button, pattern=r"^mt:"),
        CallbackQueryHandler(buttons.mentor_agreed, pattern=r"^my:"),
        CallbackQueryHandler(buttons.mentor_declined, pattern=r"^mn$"),
        CallbackQueryHandler(buttons.language_button, pattern=r"^lg:"),
        CallbackQueryHandler(buttons.forget_button, pattern=r"^fg:[yn]$"),
        CallbackQueryHandler(buttons.stale_button),
        InlineQueryHandler(handlers.inline_query),
    ])
    application.add_error_handler(handlers.on_error)


def build_application(settings: Settings, runtime: Runtime, polling: bool = False) -> Application:
    """The bot's `Application`: webhook mode (no updater) unless `polling`; outgoing calls rate-limited."""
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url or DEFAULT_API_BASE_URL)
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.telegram_messages_per_s, max_retries=3))
        .concurrent_updates(CONCURRENT_UPDATES)
    )
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data["veiviser"] = handlers.Deps(
        runtime, ChannelRecords(runtime.records, handlers.CHANNEL),
        RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst),
    )
    register(application)
    return application


async def set_commands(application: Application, translator: Translator) -> None:
    """The command menu in each interface language (English for every other locale)."""
    for lang in (None, *UI_LANGUAGES):
        commands = [BotCommand(name, translator.translate(lang or "en", description)) for name, description in COMMANDS]
        await application.bot.set_my_commands(commands, language_code=lang)


class TelegramChannel:
    """The running bot inside `veiviser serve`: started and stopped by the app's lifespan."""

    def __init__(self, settings: Settings, runtime: Runtime, polling: bool = False) -> None:
        self.settings = settings
        self.polling = polling
        self.secret = webhook_secret(settings)
        self.application = build_application(settings, runtime, polling)
        self.people: ChannelRecords = self.application.bot_data["veiviser"].people
        logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry request URLs, with the token

    async def start(self) -> None:
        """Connect (getMe), publish the commands, then poll or register the webhook; says what it did."""
        application = self.application
        try:
            await application.initialize()
            await set_commands(application, self._translator)
        except TelegramError as exc:  # its message may carry the token: say what failed without it
            await application.shutdown()
            raise TelegramUnavailable(
                f"Telegram: the Bot API at {self.settings.telegram_api_base_url or DEFAULT_API_BASE_URL} did not accept "
                f"the bot ({exc.__class__.__name__}); check TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL"
            ) from None
        await application.start()
        name = f"@{application.bot.username}"
        if self.polling:
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            log.warning("Telegram: %s is polling for updates (no webhook)", name)
        elif self.settings.telegram_webhook_url:
            await application.bot.set_webhook(self.settings.telegram_webhook_url, secret_token=self.secret,
                                              allowed_updates=ALLOWED_UPDATES)
            log.warning("Telegram: %s registered its webhook at %s", name, self.settings.telegram_webhook_url)
        else:
            log.warning("Telegram: %s answers on POST /telegram/webhook (TELEGRAM_WEBHOOK_URL not set, so no "
                        "webhook was registered)", name)

    @property
    def _translator(self) -> Translator:
        return self.application.bot_data["veiviser"].runtime.translator

    async def feed(self, update: Update) -> None:
        """Hand an update to the bot (it is answered in the background)."""
        await self.application.update_queue.put(update)

    async def stop(self) -> None:
        application = self.application
        if self.polling and application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
