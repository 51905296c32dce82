"""Language-model usage per turn (issue 11): the condensed form of a follow-up and the tokens spent.

`turns.condensed` holds a follow-up rewritten as a standalone question (what retrieval searched for), NULL when
the question was used as asked; `turns.prompt_tokens` and `turns.completion_tokens` count the model's tokens for
the turn (0 without a model). The daily token budgets are summed from them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.add_column(sa.Column("condensed", sa.Text(), nullable=True))
        batch.add_column(sa.Column("prompt_tokens", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("completion_tokens", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("completion_tokens")
        batch.drop_column("prompt_tokens")
        batch.drop_column("condensed")
