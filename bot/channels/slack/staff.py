"""`/veiviser reingest`: staff (a Slack user id on a staff account, `veiviser staff add --slack-user`) re-ingest
the material from Slack and get the summary; anyone else gets a polite refusal."""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient

from bot.admin.summary import summary
from bot.channels.slack.handlers import Deps, ui_language
from ingest.coordinator import IngestBusy

REINGEST = {"reingest", "re-ingest"}


async def reingest(d: Deps, respond, client: AsyncWebClient, user_id: str) -> None:  # noqa: ANN001
    """Re-ingest for a staff member (the staff channel hears of it too); refuse everyone else."""
    lang = await ui_language(d, client, user_id)
    staff = await asyncio.to_thread(d.runtime.records.staff.find, slack_user_id=user_id)
    if staff is None:
        await respond(response_type="ephemeral", text=d.translate(
            lang, "Sorry, only programme staff can re-ingest the material. If something in it should change, "
                  "tell the programme team."))
        return
    await respond(response_type="ephemeral", text=d.translate(lang, "Re-ingesting the material…"))
    try:
        report = await asyncio.to_thread(d.runtime.ingest.run, None, "slack")
    except IngestBusy:
        await respond(response_type="ephemeral", text=d.translate(
            lang, "A re-ingest is already running. Try again in a minute."))
        return
    await respond(response_type="ephemeral", text=summary(report.to_json(), d.runtime.translator, lang, "slack"))
