"""The tables of the records database, as SQLAlchemy 2 typed declarative classes.

Every timestamp is a timezone-aware UTC `datetime` in Python (see `UTCDateTime`). Ids that leave the
database (turn ids, mentor request ids) are random uuid4 hex strings; purely internal rows use integer keys.
The migrations in `bot/records/migrations/versions/` must create exactly these tables (a test compares them).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, MetaData
from sqlalchemy import String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

MENTOR_REQUEST_STATUSES = ("new", "contacted", "done")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware (UTC).

    PostgreSQL stores `timestamptz`; SQLite has no time zones, so the value is stored as naive UTC text, whose
    fixed format also sorts correctly. A naive `datetime` passed in is taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Turn(Base):
    """One question and the answer it got, on one channel; `id` is the turn id every answer carries."""

    __tablename__ = "turns"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(255))
    conversation_id: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    confident: Mapped[bool] = mapped_column(Boolean)
    kind: Mapped[str] = mapped_column(String(16))
    composer: Mapped[str] = mapped_column(String(64))
    source_ids: Mapped[list[str]] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the request that asked (logs)
    # Language model (migration 0002): a follow-up rewritten as a standalone question, and the tokens spent
    condensed: Mapped[str | None] = mapped_column(Text, nullable=True)
    prompt_tokens: Mapped[int] = mapped_column(Integer, server_default="0")
    completion_tokens: Mapped[int] = mapped_column(Integer, server_default="0")

    __table_args__ = (
        Index("ix_turns_channel_user", "channel", "user_id"),
        Index("ix_turns_channel_conversation", "channel", "conversation_id", "created_at"),
    )


class Feedback(Base):
    """What the asker thought of a turn: one row per turn, a later vote replaces the earlier one."""

    __tablename__ = "feedback"

    turn_id: Mapped[str] = mapped_column(String(32), ForeignKey("turns.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text)


class HistoryEntry(Base):
    """A turn in a conversation's follow-up history (bounded per conversation, read only while young)."""

    __tablename__ = "history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[str] = mapped_column(String(255))
    turn_id: Mapped[str] = mapped_column(String(32), ForeignKey("turns.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_history_channel_conversation", "channel", "conversation_id", "created_at"),)


class Unanswered(Base):
    """A question the material did not cover, for staff (`GET /admin/api/gaps`)."""

    __tablename__ = "unanswered"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    turn_id: Mapped[str] = mapped_column(String(32), ForeignKey("turns.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(16))
    question: Mapped[str] = mapped_column(Text)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # staff marked its gap handled
    handled_by: Mapped[str | None] = mapped_column(String(255))


class Delivery(Base):
    """A platform delivery (Telegram update, Slack event) already claimed by some process; anonymous."""

    __tablename__ = "deliveries"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class MentorRequest(Base):
    """Someone asked to be put in touch with a mentor; staff move it from new to contacted to done."""

    __tablename__ = "mentor_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(Text)
    mentor_id: Mapped[str] = mapped_column(String(255))
    turn_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("turns.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)

    __table_args__ = (
        Index("ix_mentor_requests_channel_user", "channel", "user_id"),
        CheckConstraint("status IN ('new', 'contacted', 'done')", name="status"),
    )


class Preference(Base):
    """One person's choices on one channel (today: the answer language; NULL = detect)."""

    __tablename__ = "preferences"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    language: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ContentVersion(Base):
    """A counter per knowledge collection, bumped by every ingest that changed something."""

    __tablename__ = "content_versions"

    collection: Mapped[str] = mapped_column(String(255), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Lease(Base):
    """A named, expiring lock held by one holder across processes and hosts (e.g. the ingest lease)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Staff(Base):
    """A programme staff account for the admin pages (`veiviser staff add EMAIL`); passwords are argon2 hashes,
    API tokens are kept as SHA-256 digests only."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    slack_user_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
