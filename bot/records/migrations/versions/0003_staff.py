"""Staff accounts and admin state (issue 12): the `staff` table, and handled marks on unanswered questions.

Mentor request statuses (new / contacted / done) exist since 0001.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: Union[str, Sequence[str], None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("token_digest", sa.String(64), nullable=True),
        sa.Column("slack_user_id", sa.String(64), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("last_login_at", _ts(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_staff"),
        sa.UniqueConstraint("email", name="uq_staff_email"),
        sa.UniqueConstraint("token_digest", name="uq_staff_token_digest"),
        sa.UniqueConstraint("slack_user_id", name="uq_staff_slack_user_id"),
    )
    with op.batch_alter_table("unanswered") as batch:
        batch.add_column(sa.Column("handled_at", _ts(), nullable=True))
        batch.add_column(sa.Column("handled_by", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("unanswered") as batch:
        batch.drop_column("handled_by")
        batch.drop_column("handled_at")
    op.drop_table("staff")
