"""Retention and the right to be forgotten: deleting turns with everything that hangs off them.

Rows are deleted child tables first (the foreign keys cascade too, but explicit deletes give the counts
per table that the callers report).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Select, delete, select, update

from bot.records.schema import Delivery, Feedback, HistoryEntry, MentorRequest, Preference, Turn, Unanswered


def _delete_turns(connection: Connection, turn_ids: Select) -> dict[str, int]:
    """Delete the turns selected by `turn_ids` (a subquery of ids) and their feedback, history, unanswered rows."""
    counts = {}
    for name, table in (("feedback", Feedback), ("history", HistoryEntry), ("unanswered", Unanswered)):
        counts[name] = connection.execute(delete(table).where(table.turn_id.in_(turn_ids))).rowcount
    connection.execute(update(MentorRequest).where(MentorRequest.turn_id.in_(turn_ids)).values(turn_id=None))
    counts["turns"] = connection.execute(delete(Turn).where(Turn.id.in_(turn_ids))).rowcount
    return counts


def purge(connection: Connection, cutoff: datetime) -> dict[str, int]:
    """Delete turns created before `cutoff` (with their feedback, history, unanswered rows) and old deliveries.

    Mentor requests stay (a turn they pointed to is unlinked); delivery ids are anonymous and only needed
    while a platform may still redeliver, so those older than the cutoff go too.
    """
    counts = _delete_turns(connection, select(Turn.id).where(Turn.created_at < cutoff))
    counts["deliveries"] = connection.execute(delete(Delivery).where(Delivery.created_at < cutoff)).rowcount
    return counts


def forget(connection: Connection, channel: str, user_id: str) -> dict[str, int]:
    """Delete everything stored about one person on one channel (deliveries are anonymous and stay)."""
    counts = _delete_turns(connection, select(Turn.id).where(Turn.channel == channel, Turn.user_id == user_id))
    counts["mentor_requests"] = connection.execute(
        delete(MentorRequest).where(MentorRequest.channel == channel, MentorRequest.user_id == user_id)
    ).rowcount
    counts["preferences"] = connection.execute(
        delete(Preference).where(Preference.channel == channel, Preference.user_id == user_id)
    ).rowcount
    return counts
