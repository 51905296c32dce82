"""What the admin pages and the staff API read and write: staff accounts, handled gaps, feedback and turn
statistics. `Records.staff` gives one `StaffRecords` over the same engine and clock."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.records.engine import read_transaction, write_transaction
from bot.records.schema import Feedback, Staff, Turn, Unanswered

MAX_ROWS = 5000


class StaffExists(ValueError):
    """A staff account with this e-mail address (or Slack user id) exists already."""


class UnknownStaff(KeyError):
    """No staff account has this e-mail address."""


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 255 or any(c.isspace() for c in email):
        raise ValueError(f"{email!r} is not an e-mail address")
    return email


class StaffRecords:
    """Staff accounts and the admin views of the records; every call is one short transaction."""

    def __init__(self, engine: Engine, now: Callable[[], datetime]) -> None:
        self._engine = engine
        self._now = now

    # accounts ------------------------------------------------------------------------------------------------

    def add(self, email: str, password_hash: str, slack_user_id: str | None = None) -> int:
        """Create an account; `StaffExists` when the address (or Slack id) is taken."""
        try:
            with write_transaction(self._engine) as connection:
                return int(connection.execute(Staff.__table__.insert().values(
                    email=normalise_email(email), password_hash=password_hash, slack_user_id=slack_user_id or None,
                    created_at=self._now(),
                ).returning(Staff.id)).scalar_one())
        except IntegrityError:
            taken = f"{email} or Slack user {slack_user_id}" if slack_user_id else email
            raise StaffExists(f"a staff account for {taken} exists already") from None

    def update(self, email: str, **values: str | None) -> None:
        """Change `password_hash`, `token_digest` or `slack_user_id` of an account."""
        allowed = {"password_hash", "token_digest", "slack_user_id"}
        if not values or set(values) - allowed:
            raise ValueError(f"only {', '.join(sorted(allowed))} can be changed")
        try:
            with write_transaction(self._engine) as connection:
                changed = connection.execute(
                    update(Staff).where(Staff.email == normalise_email(email)).values(**values)).rowcount
        except IntegrityError:
            raise StaffExists("another staff account has this Slack user id") from None
        if not changed:
            raise UnknownStaff(email)

    def remove(self, email: str) -> bool:
        with write_transaction(self._engine) as connection:
            return bool(connection.execute(delete(Staff).where(Staff.email == normalise_email(email))).rowcount)

    def all(self) -> list[dict]:
        query = select(Staff.id, Staff.email, Staff.slack_user_id, Staff.created_at, Staff.last_login_at,
                       Staff.token_digest.is_not(None).label("has_token")).order_by(Staff.email)
        with read_transaction(self._engine) as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def find(self, *, email: str | None = None, staff_id: int | None = None, token_digest: str | None = None,
             slack_user_id: str | None = None) -> dict | None:
        """The account matching the one given key, or None."""
        if email is not None:
            try:
                condition = Staff.email == normalise_email(email)
            except ValueError:
                return None
        elif staff_id is not None:
            condition = Staff.id == staff_id
        elif token_digest:
            condition = Staff.token_digest == token_digest
        elif slack_user_id:
            condition = Staff.slack_user_id == slack_user_id
        else:
            return None
        with read_transaction(self._engine) as connection:
            row = connection.execute(select(Staff).where(condition)).mappings().first()
        return dict(row) if row else None

    def record_login(self, staff_id: int) -> None:
        with write_transaction(self._engine) as connection:
            connection.execute(update(Staff).where(Staff.id == staff_id).values(last_login_at=self._now()))

    # gaps ----------------------------------------------------------------------------------------------------

    def unanswered(self, handled: bool = False, limit: int = MAX_ROWS) -> list[dict]:
        """Uncovered questions (id, created_at, channel, language, question), newest first; handled or not."""
        condition = Unanswered.handled_at.is_not(None) if handled else Unanswered.handled_at.is_(None)
        query = (select(Unanswered.id, Unanswered.created_at, Unanswered.channel, Unanswered.language,
                        Unanswered.question).where(condition)
                 .order_by(Unanswered.created_at.desc(), Unanswered.id.desc()).limit(limit))
        with read_transaction(self._engine) as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def mark_handled(self, ids: list[int], by: str) -> int:
        """Mark these uncovered questions handled (their group leaves the gaps list); returns how many."""
        if not ids:
            return 0
        with write_transaction(self._engine) as connection:
            return connection.execute(update(Unanswered).where(
                Unanswered.id.in_(ids), Unanswered.handled_at.is_(None)).values(
                handled_at=self._now(), handled_by=by[:255])).rowcount

    # feedback and statistics ---------------------------------------------------------------------------------

    def feedback(self, channel: str | None = None, language: str | None = None, since: datetime | None = None,
                 until: datetime | None = None, limit: int = 500) -> list[dict]:
        """👍/👎 with the question, answer and sources of its turn, newest first, filtered."""
        query = (select(Feedback.turn_id, Feedback.created_at, Feedback.helpful, Feedback.comment, Turn.channel,
                        Turn.language, Turn.question, Turn.answer, Turn.source_ids.label("sources"))
                 .join(Turn, Turn.id == Feedback.turn_id)
                 .order_by(Feedback.created_at.desc(), Feedback.turn_id).limit(limit))
        if channel:
            query = query.where(Turn.channel == channel)
        if language:
            query = query.where(Turn.language == language)
        if since is not None:
            query = query.where(Feedback.created_at >= since)
        if until is not None:
            query = query.where(Feedback.created_at < until)
        with read_transaction(self._engine) as connection:
            return [dict(row) | {"sources": list(row["sources"] or [])} for row in connection.execute(query).mappings()]

    def turns_since(self, since: datetime) -> list[dict]:
        """created_at, channel, language, kind, confident and source ids of every turn since `since`."""
        query = (select(Turn.created_at, Turn.channel, Turn.language, Turn.kind, Turn.confident, Turn.source_ids)
                 .where(Turn.created_at >= since).order_by(Turn.created_at).limit(100_000))
        with read_transaction(self._engine) as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    def channels(self) -> list[str]:
        with read_transaction(self._engine) as connection:
            return sorted(connection.scalars(select(Turn.channel).distinct()))
