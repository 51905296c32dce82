"""The staff API (bearer ADMIN_TOKEN): re-ingest inside the service that owns the store."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, HTTPException

from bot.http.deps import get_runtime, require_admin
from bot.runtime import Runtime
from ingest.coordinator import IngestBusy

router = APIRouter(prefix="/admin/api", dependencies=[Depends(require_admin)])


@router.post("/reingest")
async def reingest(rt: Runtime = Depends(get_runtime)) -> dict:
    """Bring the index in line with the knowledge folders; answers keep coming from the old content until the
    new one is swapped in. One ingest at a time: a second request while one runs gets 409."""
    try:
        report = await asyncio.to_thread(rt.ingest.run)
    except IngestBusy as exc:
        raise HTTPException(409, str(exc)) from None
    return report.to_json()
