"""Requests as Telegram and Slack send them to the service: a Telegram update with the webhook's secret header, a
signed Slack Events API `app_mention`. Used by the topology tests (tests/topology.py) and the channel load runs
(benchmarks/channel_load.py, benchmarks/soak.py)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from tests.fakes.slack_api import BOT_USER_ID, TEAM_ID


def telegram_update(update_id: int, chat: int, text: str, lang: str | None = "nb") -> dict:
    """A private text message from person `chat` in their own chat; `lang` is the app's language code (None: none)."""
    person = {"id": chat, "is_bot": False, "first_name": "Tester"} | ({"language_code": lang} if lang else {})
    return {"update_id": update_id, "message": {"message_id": update_id % 1_000_000 + 1, "date": int(time.time()),
                                                "from": person, "chat": {"id": chat, "type": "private"}, "text": text}}


def telegram_headers(secret: str) -> dict:
    """The header with which Telegram proves a webhook call is its own."""
    return {"X-Telegram-Bot-Api-Secret-Token": secret}


def slack_mention(event_id: str, channel: str, user: str, text: str, ts: str | None = None) -> str:
    """The JSON body of an `app_mention` of the bot by `user` in `channel` (`ts`: the message's time stamp, now when
    not given)."""
    stamp = ts or f"{time.time():.6f}"
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER_ID}> {text}", "ts": stamp,
             "channel": channel, "event_ts": stamp}
    return json.dumps({"token": "x", "team_id": TEAM_ID, "api_app_id": "A0VEIVISER", "type": "event_callback",
                       "event_id": event_id, "event_time": int(time.time()), "event": event,
                       "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}]})


def slack_signed_headers(secret: str, body: str) -> dict:
    """The headers of a Slack request carrying `body`, signed now with the app's signing secret."""
    stamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}
