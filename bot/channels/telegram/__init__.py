"""The Telegram channel: pure rendering (`render`), handlers, registration of the bot, the webhook route."""
