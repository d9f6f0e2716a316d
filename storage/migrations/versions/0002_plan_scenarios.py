"""Saved rollout-planner scenarios.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_scenarios",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("dataset_versions.id"), nullable=False),
        sa.Column("selected", sa.Text, nullable=False),
        sa.Column("totals", sa.Text, nullable=False),
        sa.Column("illustrative", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
        sa.Column("deleted_by", sa.String(80)),
    )


def downgrade() -> None:
    op.drop_table("plan_scenarios")
