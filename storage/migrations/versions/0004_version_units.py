"""Versions record their unit set: "2023" (the 101 units of 2022–2024) or "2025" (the 64 units of
the merged province). Every version stored before is in the 2023 units.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dataset_versions") as batch:
        batch.add_column(sa.Column("units", sa.String(4), nullable=False, server_default="2023"))


def downgrade() -> None:
    with op.batch_alter_table("dataset_versions") as batch:
        batch.drop_column("units")
