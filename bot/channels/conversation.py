"""What every chat channel shares, below the channels: delivery dedupe, feedback, mentor requests, language
choice, forgetting, and the course modules to point at. Async wrappers over `Records` (blocking calls run in a
thread); no platform types here, only plain values."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass

from bot import metrics
from bot.language import readable_by
from bot.mentors import Mentor, topic_of
from bot.models import MentorRef, ModulePointer
from bot.records import Records, UnknownTurn
from bot.snapshot import IndexSnapshot

log = logging.getLogger(__name__)
CLAIM_ATTEMPTS = 4
CLAIM_RETRY_S = 0.25  # waits 0.25, 0.5, 0.75 s between attempts


@dataclass(frozen=True)
class MentorContact:
    """A recorded mentor request and who to contact."""

    request_id: str
    mentor: Mentor


class ChannelRecords:
    """The records of one channel ("telegram", "slack") for one person at a time."""

    def __init__(self, records: Records, channel: str) -> None:
        self.records = records
        self.channel = channel

    async def claim(self, delivery_id: str) -> bool:
        """True the first time this delivery (update id, event id) is seen, in any process. A failing claim is tried
        again (a busy database can refuse a connection for a moment); when the database stays down it cannot be
        told: True, and the person gets the "temporarily unavailable" reply (acknowledged, so the platform does not
        keep redelivering a question nobody can answer now)."""
        for attempt in range(CLAIM_ATTEMPTS):
            try:
                first = await asyncio.to_thread(self.records.claim_delivery, self.channel, str(delivery_id))
            except Exception as exc:  # noqa: BLE001 - an outage, or a moment of it
                if attempt + 1 < CLAIM_ATTEMPTS:
                    await asyncio.sleep(CLAIM_RETRY_S * (attempt + 1))
                    continue
                log.warning("%s delivery %s not claimed, the database did not answer (%s: %s)", self.channel,
                            delivery_id, exc.__class__.__name__, str(exc)[:200])
                return True
            if not first:
                metrics.dedupe_hit(self.channel)
            return first
        return True

    async def feedback(self, turn_id: str, helpful: bool) -> bool:
        """Store 👍 / 👎 against the turn; False when the turn is unknown (purged, forgotten)."""
        try:
            await asyncio.to_thread(self.records.add_feedback, turn_id, helpful)
        except UnknownTurn:
            return False
        return True

    async def request_mentor(self, user_id: str, mentor: Mentor, turn_id: str | None) -> MentorContact:
        """Record that the person wants to talk to `mentor` (for staff), about the topic of the turn if any."""
        def write() -> str:
            turn = self.records.turn(turn_id) if turn_id else None
            topics = [topic_of(s) for s in (turn or {}).get("sources", [])]
            topic = next((t for t in topics if t and t in mentor.topics), mentor.topics[0] if mentor.topics else "")
            summary = (turn or {}).get("question", "")[:500]
            return self.records.add_mentor_request(self.channel, user_id, topic, mentor.id,
                                                   turn_id if turn else None, summary)
        return MentorContact(await asyncio.to_thread(write), mentor)

    async def open_mentor_requests(self, user_id: str) -> list[dict]:
        """The person's mentor requests that are not done yet, newest first."""
        rows = await asyncio.to_thread(self.records.mentor_requests, self.channel, user_id)
        return [row for row in rows if row["status"] != "done"]

    async def has_conversation(self, conversation_id: str) -> bool:
        """True when the bot has answered in this conversation (a thread, a chat) and its history is kept."""
        return bool(await asyncio.to_thread(self.records.history, self.channel, conversation_id, 1))

    async def language(self, user_id: str) -> str | None:
        """The person's explicit language choice, or None."""
        return await asyncio.to_thread(self.records.preferred_language, self.channel, user_id)

    async def choose_language(self, user_id: str, lang: str | None) -> None:
        await asyncio.to_thread(self.records.set_language, self.channel, user_id, lang)

    async def forget(self, user_id: str) -> int:
        """Delete everything stored about the person on this channel; returns how many rows went."""
        counts = await asyncio.to_thread(self.records.forget, self.channel, user_id)
        return sum(counts.values())


def find_mentor(mentors: list[Mentor], mentor_id: str) -> Mentor | None:
    return next((m for m in mentors if m.id == mentor_id), None)


def mentor_ids(mentors: list[Mentor], refs: list[MentorRef]) -> list[str]:
    """The directory ids of the mentors an answer suggests (by name; "" when not found)."""
    by_name = {m.name: m.id for m in mentors}
    return [by_name.get(ref.name, "") for ref in refs]


def course_modules(snapshot: IndexSnapshot, lang: str, public_base_url: str = "") -> list[ModulePointer]:
    """One pointer per course module, in the reader's language where that version exists, by module number."""
    readable = readable_by(lang)
    best: dict[int, tuple[int, ModulePointer]] = {}
    today = dt.date.today().isoformat()
    for chunk in snapshot.documents.values():
        if chunk.kind != "module" or not chunk.module or (chunk.valid_until and chunk.valid_until < today):
            continue
        rank = readable.index(chunk.lang) if chunk.lang in readable else len(readable)
        url = chunk.url or (f"{public_base_url.rstrip('/')}/read/{chunk.doc_id}" if public_base_url else None)
        if chunk.module not in best or rank < best[chunk.module][0]:
            best[chunk.module] = (rank, ModulePointer(chunk.doc_id, chunk.title, chunk.module, url))
    return [pointer for _, (_, pointer) in sorted(best.items())]


def module_by_key(modules: list[ModulePointer], key: str) -> ModulePointer | None:
    """A module by a deep-link key such as `m04` or `4`."""
    digits = key.lower().removeprefix("m")
    if not digits.isdigit():
        return None
    return next((m for m in modules if m.module == int(digits)), None)
