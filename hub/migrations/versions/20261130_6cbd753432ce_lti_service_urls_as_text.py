"""lti service urls as text

Revision ID: 6cbd753432ce
Revises: 77ef8d6c84f7
Create Date: 2026-11-30 02:48:59.632000

The AGS and NRPS URLs come from the platform's launches and NRPS pages, with no
length limit; 1000 characters failed the launch on PostgreSQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6cbd753432ce"
down_revision: str | None = "77ef8d6c84f7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("lti_contexts", "lineitems_url"),
    ("lti_contexts", "nrps_url"),
    ("lti_contexts", "nrps_differences_url"),
    ("lti_resource_links", "line_item_url"),
)


def upgrade() -> None:
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=sa.String(length=1000),
                type_=sa.Text(),
                existing_nullable=True,
            )


def downgrade() -> None:
    # A URL longer than 1000 characters would not fit back; cutting it would break
    # the link to the platform's service, so the downgrade refuses instead.
    bind = op.get_bind()
    for table, column in COLUMNS:
        longer = bind.execute(
            sa.text(f"SELECT count(*) FROM {table} WHERE length({column}) > 1000")  # noqa: S608
        ).scalar()
        if longer:
            raise RuntimeError(
                f"{table}.{column} holds {longer} URLs over 1000 characters; "
                "they would not fit the old column"
            )
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=sa.Text(),
                type_=sa.String(length=1000),
                existing_nullable=True,
            )
