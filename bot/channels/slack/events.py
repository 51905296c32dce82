"""`POST /slack/events`: events, slash commands and interactivity, handed to bolt (which verifies the signature,
401 when it is wrong or older than 5 minutes, and acknowledges before answering)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

router = APIRouter()


@router.post("/slack/events", include_in_schema=False)
async def slack_events(request: Request) -> Response:
    channel = getattr(request.app.state, "slack", None)
    if channel is None or channel.handler is None:
        raise HTTPException(404, "Slack is not configured (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET).")
    return await channel.handler.handle(request)
