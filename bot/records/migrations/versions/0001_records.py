"""Create the records tables.

Turns, feedback, history, unanswered, deliveries, mentor requests, preferences, content versions and leases.

Databases from before migrations: the store's old hand-written SQLite schema had tables `turns`,
`unanswered` and `feedback` with INTEGER ids and no `alembic_version`. When this migration finds a `turns`
table with an integer id, it renames the three old tables to `legacy_turns`, `legacy_unanswered` and
`legacy_feedback` (kept untouched, so nothing is lost; drop them by hand once satisfied) and copies their rows
into the new tables: a legacy turn N becomes turn id `legacy-N` (composer unknown: ""), its unanswered rows
follow it, and of several feedback rows on one turn the latest is kept (the new schema keeps one per turn).
Legacy turns are not copied into the follow-up history (it expires within a day anyway).

Revision ID: 0001
Revises:
Create Date: 2026-05-04
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: Union[str, Sequence[str], None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LEGACY_TABLES = ("turns", "unanswered", "feedback")
BATCH = 1000


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    legacy = _rename_legacy_tables()
    _create_tables()
    if legacy:
        _copy_legacy_rows()


def downgrade() -> None:
    for name in ("leases", "content_versions", "preferences", "mentor_requests", "deliveries", "unanswered",
                 "history", "feedback", "turns"):
        op.drop_table(name)
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name in LEGACY_TABLES:
        if f"legacy_{name}" in existing:
            op.rename_table(f"legacy_{name}", name)


def _rename_legacy_tables() -> bool:
    inspector = sa.inspect(op.get_bind())
    existing = set(inspector.get_table_names())
    if "turns" not in existing:
        return False
    id_type = next(c["type"] for c in inspector.get_columns("turns") if c["name"] == "id")
    if not isinstance(id_type, sa.Integer):
        raise RuntimeError("A table 'turns' of unknown shape exists; the records migrations cannot continue.")
    for name in LEGACY_TABLES:
        if name in existing:
            op.rename_table(name, f"legacy_{name}")
    return True


def _create_tables() -> None:
    op.create_table(
        "turns",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("confident", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("composer", sa.String(64), nullable=False),
        sa.Column("source_ids", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_turns"),
    )
    op.create_index("ix_turns_created_at", "turns", ["created_at"])
    op.create_index("ix_turns_channel_user", "turns", ["channel", "user_id"])
    op.create_index("ix_turns_channel_conversation", "turns", ["channel", "conversation_id", "created_at"])

    op.create_table(
        "feedback",
        sa.Column("turn_id", sa.String(32), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["turn_id"], ["turns.id"], name="fk_feedback_turn_id_turns", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("turn_id", name="pk_feedback"),
    )

    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("turn_id", sa.String(32), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.ForeignKeyConstraint(["turn_id"], ["turns.id"], name="fk_history_turn_id_turns", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_history"),
    )
    op.create_index("ix_history_turn_id", "history", ["turn_id"])
    op.create_index("ix_history_channel_conversation", "history", ["channel", "conversation_id", "created_at"])

    op.create_table(
        "unanswered",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("turn_id", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["turn_id"], ["turns.id"], name="fk_unanswered_turn_id_turns", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_unanswered"),
    )
    op.create_index("ix_unanswered_created_at", "unanswered", ["created_at"])
    op.create_index("ix_unanswered_turn_id", "unanswered", ["turn_id"])

    op.create_table(
        "deliveries",
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("delivery_id", sa.String(255), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "delivery_id", name="pk_deliveries"),
    )
    op.create_index("ix_deliveries_created_at", "deliveries", ["created_at"])

    op.create_table(
        "mentor_requests",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("mentor_id", sa.String(255), nullable=False),
        sa.Column("turn_id", sa.String(32), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.CheckConstraint("status IN ('new', 'contacted', 'done')", name="ck_mentor_requests_status"),
        sa.ForeignKeyConstraint(
            ["turn_id"], ["turns.id"], name="fk_mentor_requests_turn_id_turns", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_mentor_requests"),
    )
    op.create_index("ix_mentor_requests_status", "mentor_requests", ["status"])
    op.create_index("ix_mentor_requests_channel_user", "mentor_requests", ["channel", "user_id"])

    op.create_table(
        "preferences",
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "user_id", name="pk_preferences"),
    )

    op.create_table(
        "content_versions",
        sa.Column("collection", sa.String(255), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("collection", name="pk_content_versions"),
    )

    op.create_table(
        "leases",
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("holder", sa.String(255), nullable=False),
        sa.Column("expires_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_leases"),
    )


def _when(epoch: float) -> datetime:
    moment = datetime.fromtimestamp(float(epoch), tz=timezone.utc)
    return moment.replace(tzinfo=None) if op.get_bind().dialect.name == "sqlite" else moment


def _copy_legacy_rows() -> None:
    bind = op.get_bind()
    existing = set(sa.inspect(bind).get_table_names())
    turns = sa.table(
        "turns", sa.column("created_at", sa.DateTime()), sa.column("confident", sa.Boolean()),
        sa.column("source_ids", sa.JSON()),
        *(sa.column(c) for c in ("id", "channel", "user_id", "conversation_id", "language", "question", "answer",
                                 "kind", "composer")),
    )
    rows = bind.execute(sa.text(
        "SELECT id, ts, channel, user_id, conversation_id, language, question, answer, confident, kind, sources"
        " FROM legacy_turns ORDER BY id"
    ))
    while batch := rows.fetchmany(BATCH):
        op.bulk_insert(turns, [{
            "id": f"legacy-{r[0]}", "created_at": _when(r[1]), "channel": r[2] or "", "user_id": r[3] or "",
            "conversation_id": r[4] or "", "language": r[5] or "", "question": r[6] or "", "answer": r[7] or "",
            "confident": bool(r[8]), "kind": r[9] or "answer", "composer": "", "source_ids": _source_ids(r[10]),
        } for r in batch])
    if "legacy_unanswered" in existing:
        bind.execute(sa.text(
            "INSERT INTO unanswered (created_at, turn_id, channel, language, question)"
            " SELECT t.created_at, t.id, u.channel, u.language, u.question FROM legacy_unanswered u"
            " JOIN turns t ON t.id = 'legacy-' || u.turn_id ORDER BY u.id"
        ))
    if "legacy_feedback" in existing:
        feedback = sa.table("feedback", sa.column("turn_id"), sa.column("created_at", sa.DateTime()),
                            sa.column("helpful", sa.Boolean()), sa.column("comment"))
        latest = bind.execute(sa.text(
            "SELECT f.turn_id, f.ts, f.helpful, f.comment FROM legacy_feedback f"
            " WHERE f.id = (SELECT MAX(g.id) FROM legacy_feedback g WHERE g.turn_id = f.turn_id)"
            " AND EXISTS (SELECT 1 FROM legacy_turns t WHERE t.id = f.turn_id)"
        ))
        while batch := latest.fetchmany(BATCH):
            op.bulk_insert(feedback, [{"turn_id": f"legacy-{r[0]}", "created_at": _when(r[1]), "helpful": bool(r[2]),
                                       "comment": (r[3] or "")[:2000]} for r in batch])


def _source_ids(raw: str | None) -> list[str]:
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []
