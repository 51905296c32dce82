"""`Records`: every record the channels need, in one SQL database (SQLite or PostgreSQL)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from sqlalchemy import Connection, Engine, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError

from bot.models import Answer, Question
from bot.records import coordination, privacy
from bot.records.engine import make_engine, read_transaction, write_transaction
from bot.records.migrate import upgrade
from bot.records.results import HistoryTurn, UnknownMentorRequest, UnknownTurn
from bot.records.schema import MENTOR_REQUEST_STATUSES, Feedback, HistoryEntry, MentorRequest, Preference, Turn
from bot.records.schema import Unanswered
from bot.records.staff import StaffRecords
from bot.records.urls import normalise_url, redact

log = logging.getLogger(__name__)

MAX_COMMENT_CHARS = 2000
DEFAULT_HISTORY_TURNS = 6
DEFAULT_HISTORY_TTL_S = 24 * 3600.0
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Records:
    """Every record the channels need, in one SQL database (SQLite or PostgreSQL).

    Thread-safe: each call takes a pooled connection for one short transaction, and several processes may
    use the same database at once (a forked child opens its own). Timestamps are timezone-aware UTC
    `datetime`s. Build it with `open`.
    """

    def __init__(self, engine: Engine, *, history_turns: int = DEFAULT_HISTORY_TURNS,
                 history_ttl_s: float = DEFAULT_HISTORY_TTL_S, now: Clock = utc_now) -> None:
        self._engine = engine
        self.history_turns = history_turns
        self.history_ttl_s = history_ttl_s
        self._now = now

    @classmethod
    def open(cls, url: str, *, history_turns: int = DEFAULT_HISTORY_TURNS,
             history_ttl_s: float = DEFAULT_HISTORY_TTL_S, now: Clock | None = None, migrate: bool = True) -> "Records":
        """Connect to `url` (sqlite:///... or postgresql+psycopg://...) and bring the schema to head.

        `now` replaces the clock (tests); `migrate=False` skips the migrations (they are safe to run from
        several processes at once, so only tools that must not change the schema need it).
        """
        engine = make_engine(normalise_url(url))
        log.info("records database: %s", redact(engine.url))
        try:
            if migrate:
                upgrade(engine)
        except Exception:
            engine.dispose()
            raise
        return cls(engine, history_turns=history_turns, history_ttl_s=history_ttl_s, now=now or utc_now)

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def staff(self) -> "StaffRecords":
        """Staff accounts and the admin views (gaps, feedback, statistics) of this database."""
        return StaffRecords(self._engine, self._now)

    @property
    def backend(self) -> str:
        """"sqlite" or "postgresql"."""
        return self._engine.dialect.name

    def close(self) -> None:
        self._engine.dispose()

    def ping(self) -> bool:
        """True when the database answers a trivial query (for /readyz)."""
        try:
            with self._engine.connect() as connection:
                return connection.execute(text("SELECT 1")).scalar_one() == 1
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            log.warning("records database does not answer: %s", type(exc).__name__)
            return False

    # turns ---------------------------------------------------------------------------------------------------

    def record_turn(self, question: Question, answer: Answer) -> str:
        """Store a turn; also an unanswered question when the material did not cover it, and a history entry
        when the question belongs to a conversation. Returns the new turn id."""
        turn_id, now = uuid.uuid4().hex, self._now()
        with write_transaction(self._engine) as connection:
            connection.execute(Turn.__table__.insert().values(
                id=turn_id, created_at=now, channel=question.channel, user_id=question.user_id,
                conversation_id=question.conversation_id, language=answer.language, question=question.text,
                answer=answer.answer, confident=answer.confident, kind=answer.kind, composer=answer.composer,
                source_ids=[s.id for s in answer.sources], request_id=question.request_id or None,
                condensed=answer.condensed, prompt_tokens=answer.prompt_tokens, completion_tokens=answer.completion_tokens,
            ))
            if answer.kind == "declined" or (answer.kind == "answer" and not answer.confident):
                connection.execute(Unanswered.__table__.insert().values(
                    created_at=now, turn_id=turn_id, channel=question.channel, language=answer.language,
                    question=question.text,
                ))
            if question.conversation_id:
                self._append_history(connection, question.channel, question.conversation_id, turn_id, now)
        return turn_id

    def _append_history(
        self, connection: Connection, channel: str, conversation_id: str, turn_id: str, now: datetime
    ) -> None:
        """Add the turn to its conversation's history, dropping entries beyond the bound or past their TTL."""
        connection.execute(HistoryEntry.__table__.insert().values(
            channel=channel, conversation_id=conversation_id, turn_id=turn_id, created_at=now
        ))
        same = (HistoryEntry.channel == channel, HistoryEntry.conversation_id == conversation_id)
        keep = (
            select(HistoryEntry.id).where(*same)
            .order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc()).limit(max(self.history_turns, 0))
        )
        expired = HistoryEntry.created_at < now - timedelta(seconds=self.history_ttl_s)
        connection.execute(delete(HistoryEntry).where(*same, expired | HistoryEntry.id.not_in(
            select(keep.subquery().c.id)
        )))

    def turn(self, turn_id: str) -> dict | None:
        """The stored turn (with its feedback, or None), or None for an unknown id."""
        with read_transaction(self._engine) as connection:
            row = connection.execute(select(Turn).where(Turn.id == turn_id)).mappings().first()
            if row is None:
                return None
            feedback = connection.execute(
                select(Feedback.helpful, Feedback.comment, Feedback.created_at).where(Feedback.turn_id == turn_id)
            ).first()
        result: dict[str, Any] = dict(row)
        result["sources"] = list(result.pop("source_ids") or [])
        result["feedback"] = (
            {"helpful": feedback.helpful, "comment": feedback.comment, "at": feedback.created_at} if feedback else None
        )
        return result

    # feedback ------------------------------------------------------------------------------------------------

    def add_feedback(self, turn_id: str, helpful: bool, comment: str = "") -> None:
        """Record what the asker thought of a turn; a later call for the same turn replaces the earlier one."""
        comment = (comment or "")[:MAX_COMMENT_CHARS]
        try:
            with write_transaction(self._engine) as connection:
                if connection.scalar(select(Turn.id).where(Turn.id == turn_id)) is None:
                    raise UnknownTurn(turn_id)
                statement = coordination.upsert(connection, Feedback).values(
                    turn_id=turn_id, created_at=self._now(), helpful=bool(helpful), comment=comment
                )
                connection.execute(statement.on_conflict_do_update(
                    index_elements=["turn_id"],
                    set_={c: statement.excluded[c] for c in ("created_at", "helpful", "comment")},
                ))
        except IntegrityError:  # the turn was purged or forgotten between the check and the write
            raise UnknownTurn(turn_id) from None

    # history -------------------------------------------------------------------------------------------------

    def history(self, channel: str, conversation_id: str, limit: int = DEFAULT_HISTORY_TURNS) -> list[HistoryTurn]:
        """The conversation's latest turns younger than `history_ttl_s`, at most `limit`, oldest first."""
        if not conversation_id or limit <= 0:
            return []
        since = self._now() - timedelta(seconds=self.history_ttl_s)
        query = (
            select(Turn.question, Turn.answer, Turn.language, Turn.id, HistoryEntry.created_at)
            .join(Turn, Turn.id == HistoryEntry.turn_id)
            .where(HistoryEntry.channel == channel, HistoryEntry.conversation_id == conversation_id,
                   HistoryEntry.created_at >= since)
            .order_by(HistoryEntry.created_at.desc(), HistoryEntry.id.desc())
            .limit(limit)
        )
        with read_transaction(self._engine) as connection:
            rows = connection.execute(query).all()
        return [HistoryTurn(question=r[0], answer=r[1], language=r[2], turn_id=r[3], at=r[4]) for r in reversed(rows)]

    def tokens_used(self, since: datetime, channel: str | None = None, user_id: str | None = None,
                    conversation_id: str | None = None) -> int:
        """Language-model tokens (prompt + completion) of the turns since `since`, of everyone or of one person
        (`channel` with `user_id`) or one conversation (`channel` with `conversation_id`)."""
        query = select(func.coalesce(func.sum(Turn.prompt_tokens + Turn.completion_tokens), 0)).where(
            Turn.created_at >= since)
        for column, value in ((Turn.channel, channel), (Turn.user_id, user_id), (Turn.conversation_id, conversation_id)):
            if value is not None:
                query = query.where(column == value)
        with read_transaction(self._engine) as connection:
            return int(connection.scalar(query) or 0)

    def last_language(self, channel: str, conversation_id: str) -> str | None:
        """The language of the conversation's latest turn (a hint for close calls), or None."""
        if not conversation_id:
            return None
        query = (
            select(Turn.language).where(Turn.channel == channel, Turn.conversation_id == conversation_id)
            .order_by(Turn.created_at.desc()).limit(1)
        )
        with read_transaction(self._engine) as connection:
            return connection.scalar(query)

    # deliveries, content versions, leases ----------------------------------------------------------------------

    def claim_delivery(self, channel: str, delivery_id: str) -> bool:
        """True the first time a delivery (Telegram update id, Slack event id) is claimed, in any process."""
        with write_transaction(self._engine) as connection:
            return coordination.claim_delivery(connection, channel, str(delivery_id), self._now())

    def content_version(self, collection: str) -> int:
        """The collection's content version; 0 when it was never bumped."""
        with read_transaction(self._engine) as connection:
            return coordination.content_version(connection, collection)

    def bump_content_version(self, collection: str) -> int:
        """Atomically increment the collection's content version and return the new value."""
        with write_transaction(self._engine) as connection:
            return coordination.bump_content_version(connection, collection, self._now())

    def acquire_lease(self, name: str, holder: str, ttl_s: float) -> bool:
        """Take the named lease for `ttl_s` seconds: True when it was free, expired, or held by `holder`."""
        with write_transaction(self._engine) as connection:
            return coordination.acquire_lease(connection, name, holder, ttl_s, self._now())

    def lease_holder(self, name: str) -> str | None:
        """Who holds the named lease now (None when nobody does or it has expired)."""
        with read_transaction(self._engine) as connection:
            return coordination.lease_holder(connection, name, self._now())

    def take_over_lease(self, name: str, dead_holder: str, holder: str, ttl_s: float) -> bool:
        """Take the lease from `dead_holder` (a process known to be gone); False when someone else took it first."""
        with write_transaction(self._engine) as connection:
            return coordination.take_over_lease(connection, name, dead_holder, holder, ttl_s, self._now())

    def release_lease(self, name: str, holder: str) -> None:
        with write_transaction(self._engine) as connection:
            coordination.release_lease(connection, name, holder)

    # mentor requests -----------------------------------------------------------------------------------------

    def add_mentor_request(self, channel: str, user_id: str, topic: str, mentor_id: str,
                           turn_id: str | None = None, summary: str = "") -> str:
        """Record that someone wants to be put in touch with a mentor; returns the request id (status "new")."""
        request_id, now = uuid.uuid4().hex, self._now()
        with write_transaction(self._engine) as connection:
            if turn_id is not None and connection.scalar(select(Turn.id).where(Turn.id == turn_id)) is None:
                turn_id = None  # purged or forgotten meanwhile: the request matters more than the link
            connection.execute(MentorRequest.__table__.insert().values(
                id=request_id, created_at=now, updated_at=now, channel=channel, user_id=user_id, topic=topic,
                mentor_id=mentor_id, turn_id=turn_id, summary=summary, status="new",
            ))
        return request_id

    def set_mentor_request_status(self, request_id: str, status: str) -> None:
        if status not in MENTOR_REQUEST_STATUSES:
            raise ValueError(f"status must be one of {', '.join(MENTOR_REQUEST_STATUSES)}, not {status!r}")
        with write_transaction(self._engine) as connection:
            statement = update(MentorRequest).where(MentorRequest.id == request_id)
            changed = connection.execute(statement.values(status=status, updated_at=self._now())).rowcount
        if not changed:
            raise UnknownMentorRequest(request_id)

    def mentor_requests(self, channel: str | None = None, user_id: str | None = None,
                        status: str | None = None) -> list[dict]:
        """Mentor requests matching every given filter, newest first."""
        query = select(MentorRequest).order_by(MentorRequest.created_at.desc(), MentorRequest.id)
        for column, value in ((MentorRequest.channel, channel), (MentorRequest.user_id, user_id),
                              (MentorRequest.status, status)):
            if value is not None:
                query = query.where(column == value)
        with read_transaction(self._engine) as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    # preferences ---------------------------------------------------------------------------------------------

    def set_language(self, channel: str, user_id: str, lang: str | None) -> None:
        """Remember the person's answer language; None clears the choice (detect again)."""
        with write_transaction(self._engine) as connection:
            statement = coordination.upsert(connection, Preference).values(
                channel=channel, user_id=user_id, language=lang, updated_at=self._now()
            )
            connection.execute(statement.on_conflict_do_update(
                index_elements=["channel", "user_id"],
                set_={"language": statement.excluded.language, "updated_at": statement.excluded.updated_at},
            ))

    def preferred_language(self, channel: str, user_id: str) -> str | None:
        with read_transaction(self._engine) as connection:
            return connection.scalar(
                select(Preference.language).where(Preference.channel == channel, Preference.user_id == user_id)
            )

    # unanswered questions --------------------------------------------------------------------------------------

    def unanswered(self, limit: int = 100) -> list[dict]:
        """Questions the material did not cover, newest first: ts (UTC datetime), channel, language, question."""
        query = (
            select(Unanswered.created_at.label("ts"), Unanswered.channel, Unanswered.language, Unanswered.question)
            .order_by(Unanswered.created_at.desc(), Unanswered.id.desc()).limit(limit)
        )
        with read_transaction(self._engine) as connection:
            return [dict(row) for row in connection.execute(query).mappings()]

    # privacy -------------------------------------------------------------------------------------------------

    def purge(self, older_than_days: int) -> dict[str, int]:
        """Delete turns older than `older_than_days` days with their feedback, history and unanswered rows."""
        if older_than_days < 0:
            raise ValueError("older_than_days must be 0 or more")
        with write_transaction(self._engine) as connection:
            return privacy.purge(connection, self._now() - timedelta(days=older_than_days))

    def forget(self, channel: str, user_id: str) -> dict[str, int]:
        """Delete everything stored about one person on one channel; returns the deleted rows per table."""
        with write_transaction(self._engine) as connection:
            return privacy.forget(connection, channel, user_id)

    def counts(self) -> dict[str, int]:
        """Rows per table (for operators and tests)."""
        tables = {"turns": Turn, "feedback": Feedback, "history": HistoryEntry, "unanswered": Unanswered,
                  "mentor_requests": MentorRequest, "preferences": Preference}
        with read_transaction(self._engine) as connection:
            return {name: connection.scalar(select(func.count()).select_from(t)) for name, t in tables.items()}
