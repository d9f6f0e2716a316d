"""Reporting rounds and their submissions. Every existing imported version becomes a closed round
of kind "file" with one submission (its file, its sender, its values) and remembers that round;
each of its values remembers the submission. The sample (version 0) is no round. Nothing published
changes: versions, values and the publication log keep their rows, and a "file" round's missing
units still read "no data" (only rounds created as rounds say "not reported").

Revision ID: 0005
Revises: 0004
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_rounds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("period", sa.String(40), nullable=False),
        sa.Column("units", sa.String(4), nullable=False),
        sa.Column("due", sa.Date),
        sa.Column("indicators", sa.Text, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False, server_default="round"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("approved_by", sa.String(80)),
        sa.Column("approved_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "round_submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("round_id", sa.Integer, sa.ForeignKey("report_rounds.id"), nullable=False),
        sa.Column("sender", sa.String(200), nullable=False),
        sa.Column("area", sa.String(10)),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("sheet", sa.String(120), nullable=False),
        sa.Column("rows_read", sa.Integer, nullable=False),
        sa.Column("rows_matched", sa.Integer, nullable=False),
        sa.Column("outside_area", sa.Text, nullable=False, server_default="[]"),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
    )
    op.create_index("ix_round_submissions_round_id", "round_submissions", ["round_id"])
    op.create_table(
        "submission_values",
        sa.Column("submission_id", sa.Integer, sa.ForeignKey("round_submissions.id"), primary_key=True),
        sa.Column("gso_code", sa.String(5), primary_key=True),
        sa.Column("indicator", sa.String(60), primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
    )
    with op.batch_alter_table("dataset_versions") as batch:
        batch.add_column(sa.Column("round_id", sa.Integer))
        batch.create_foreign_key("fk_dataset_versions_round_id_report_rounds", "report_rounds", ["round_id"], ["id"])
    with op.batch_alter_table("version_values") as batch:
        batch.add_column(sa.Column("submission_id", sa.Integer))
        batch.create_foreign_key("fk_version_values_submission_id_round_submissions", "round_submissions",
                                 ["submission_id"], ["id"])
    _versions_become_rounds(op.get_bind())


def _versions_become_rounds(connection: sa.Connection) -> None:
    meta = sa.MetaData()
    versions = sa.Table("dataset_versions", meta, autoload_with=connection)
    values = sa.Table("version_values", meta, autoload_with=connection)
    rounds = sa.Table("report_rounds", meta, autoload_with=connection)
    submissions = sa.Table("round_submissions", meta, autoload_with=connection)
    submission_values = sa.Table("submission_values", meta, autoload_with=connection)
    imported = connection.execute(sa.select(versions).where(versions.c.number > 0).order_by(versions.c.id)).all()
    for version in imported:
        indicators = sorted(connection.execute(
            sa.select(values.c.indicator).distinct().where(values.c.version_id == version.id)).scalars())
        round_id = connection.execute(rounds.insert().values(
            period=version.period, units=version.units, due=None, indicators=json.dumps(indicators),
            status="closed", kind="file", created_at=version.created_at, created_by=version.created_by)).inserted_primary_key[0]
        submission_id = connection.execute(submissions.insert().values(
            round_id=round_id, sender=version.source, area=None, file_name=version.file_name,
            file_sha256=version.file_sha256, sheet=version.sheet, rows_read=version.rows_read,
            rows_matched=version.rows_matched, outside_area="[]", note=version.note, created_at=version.created_at,
            created_by=version.created_by)).inserted_primary_key[0]
        connection.execute(submission_values.insert().from_select(
            ["submission_id", "gso_code", "indicator", "value"],
            sa.select(sa.literal(submission_id), values.c.gso_code, values.c.indicator, values.c.value)
            .where(values.c.version_id == version.id)))
        connection.execute(versions.update().where(versions.c.id == version.id).values(round_id=round_id))
        connection.execute(values.update().where(values.c.version_id == version.id).values(submission_id=submission_id))


def downgrade() -> None:
    with op.batch_alter_table("version_values") as batch:
        batch.drop_constraint("fk_version_values_submission_id_round_submissions", type_="foreignkey")
        batch.drop_column("submission_id")
    with op.batch_alter_table("dataset_versions") as batch:
        batch.drop_constraint("fk_dataset_versions_round_id_report_rounds", type_="foreignkey")
        batch.drop_column("round_id")
    op.drop_table("submission_values")
    op.drop_index("ix_round_submissions_round_id", table_name="round_submissions")
    op.drop_table("round_submissions")
    op.drop_table("report_rounds")
