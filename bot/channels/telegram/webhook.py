"""`POST /telegram/webhook`: the secret is checked before anything is parsed, each update id is claimed once
(across processes and restarts), and the update is queued for the bot; Telegram gets its 200 at once."""

from __future__ import annotations

import hmac
import json
import logging

from fastapi import APIRouter, HTTPException, Request, Response
from telegram import Update

log = logging.getLogger(__name__)
router = APIRouter()
SECRET_HEADER = "x-telegram-bot-api-secret-token"


@router.post("/telegram/webhook", include_in_schema=False)
async def telegram_webhook(request: Request) -> Response:
    """One update from Telegram: 403 for a wrong secret, 200 once it is queued (or was seen before)."""
    channel = getattr(request.app.state, "telegram", None)
    if channel is None:
        raise HTTPException(404, "Telegram is not configured (set TELEGRAM_BOT_TOKEN).")
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), channel.secret.encode()):
        return Response(status_code=403)
    try:
        update = Update.de_json(json.loads(await request.body()), channel.application.bot)
    except Exception:  # noqa: BLE001 - not JSON, or not an update
        raise HTTPException(400, "Not a Telegram update.") from None
    try:
        first = await channel.people.claim(str(update.update_id))
    except Exception as exc:  # noqa: BLE001 - the database is down: let Telegram deliver again later
        log.warning("Telegram update %s not claimed: %s", update.update_id, exc.__class__.__name__)
        return Response(status_code=503)
    if first:
        await channel.feed(update)
    else:
        log.info("Telegram update %s was delivered before; not answered again", update.update_id)
    return Response(status_code=200)
