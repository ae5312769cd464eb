"""registrations: extra attempts

Revision ID: fb3657b78b25
Revises: 3d9051c96892
Create Date: 2026-11-29 23:55:43.783355
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "fb3657b78b25"
down_revision: str | None = "3d9051c96892"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "extra_attempts", sa.Integer(), nullable=False, server_default="0"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("extra_attempts")
