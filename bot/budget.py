"""Daily token budgets for the language model (per person and for everyone), summed from the recorded turns."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

from bot.i18n import N_
from bot.models import Question

if TYPE_CHECKING:
    from bot.records import Records

# What the asker reads under the quoted answer when a budget is used up (translated by the catalogues).
NOTES = {
    "user": N_("You have used today's share of written answers, so this answer quotes the material directly. "
               "Written answers are back tomorrow."),
    "global": N_("Veiviser has used today's budget for written answers, so this answer quotes the material "
                 "directly. Written answers are back tomorrow."),
}


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class TokenBudget:
    """`per_user` and `total` prompt + completion tokens per UTC day (0 = no limit). A person is the channel's user
    id, or the conversation when the channel has no user ids (the web chat)."""

    def __init__(self, records: "Records | None", per_user: int, total: int,
                 now: Callable[[], datetime] = utc_now) -> None:
        self.records = records
        self.per_user = per_user
        self.total = total
        self._now = now

    def exceeded(self, question: Question) -> str | None:
        """"user" or "global" when that budget is used up for today, else None."""
        if self.records is None:
            return None
        since = self._now().replace(hour=0, minute=0, second=0, microsecond=0)
        if self.total and self.records.tokens_used(since) >= self.total:
            return "global"
        if self.per_user and (question.user_id or question.conversation_id):
            person = ({"user_id": question.user_id} if question.user_id
                      else {"conversation_id": question.conversation_id})
            if self.records.tokens_used(since, channel=question.channel, **person) >= self.per_user:
                return "user"
        return None
