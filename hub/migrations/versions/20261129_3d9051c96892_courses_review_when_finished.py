"""courses: review when finished

Revision ID: 3d9051c96892
Revises: 1df08647d92f
Create Date: 2026-11-29 23:16:18.910749
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3d9051c96892"
down_revision: str | None = "1df08647d92f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "review_when_finished",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_column("review_when_finished")
