"""What the records API returns and raises, besides plain dicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class UnknownTurn(KeyError):
    """No turn has this id (or it was purged or forgotten)."""


class UnknownMentorRequest(KeyError):
    """No mentor request has this id."""


@dataclass(frozen=True)
class HistoryTurn:
    """One earlier turn of a conversation, as follow-up questions need it."""

    question: str
    answer: str
    language: str
    turn_id: str
    at: datetime  # UTC, timezone-aware
