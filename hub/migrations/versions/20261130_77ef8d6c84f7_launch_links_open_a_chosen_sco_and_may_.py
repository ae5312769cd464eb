"""launch links open a chosen SCO and may start a new attempt

Revision ID: 77ef8d6c84f7
Revises: fb3657b78b25
Create Date: 2026-11-30 01:59:19.722212
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "77ef8d6c84f7"
down_revision: str | None = "fb3657b78b25"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("launch_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("activity_id", sa.String(length=255), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "new_attempt", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("launch_tokens", schema=None) as batch_op:
        batch_op.drop_column("new_attempt")
        batch_op.drop_column("activity_id")
