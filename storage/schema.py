"""Tables (SQLAlchemy Core). Changes go through an Alembic migration in storage/migrations."""
from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(naming_convention={
    "pk": "pk_%(table_name)s", "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s", "ix": "ix_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
})

versions = sa.Table(
    "dataset_versions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dataset", sa.String(40), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),           # 0 = the illustrative sample
    sa.Column("period", sa.String(40), nullable=False),        # reporting period, e.g. "2022"
    sa.Column("as_of", sa.Date, nullable=False),               # the date the figures refer to
    sa.Column("source", sa.String(300), nullable=False),       # who reported them
    sa.Column("illustrative", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("sheet", sa.String(120), nullable=False),
    sa.Column("rows_read", sa.Integer, nullable=False),
    sa.Column("rows_matched", sa.Integer, nullable=False),
    sa.Column("rows_rejected", sa.Integer, nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("units", sa.String(4), nullable=False, server_default="2023"),  # unit set of its codes
    sa.Column("round_id", sa.Integer, sa.ForeignKey("report_rounds.id")),       # the round it publishes
    sa.UniqueConstraint("dataset", "number", name="uq_dataset_versions_dataset_number"),
)

values = sa.Table(
    "version_values", metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("dataset_versions.id"), primary_key=True),
    sa.Column("gso_code", sa.String(5), primary_key=True),
    sa.Column("indicator", sa.String(60), primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("round_submissions.id")),  # where a round's value came from
)

match_rows = sa.Table(
    "version_rows", metadata,
    sa.Column("version_id", sa.Integer, sa.ForeignKey("dataset_versions.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("sheet", sa.String(120), nullable=False),
    sa.Column("row", sa.Integer, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("gso_code", sa.String(5)),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

publications = sa.Table(
    "publications", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dataset", sa.String(40), nullable=False, index=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("dataset_versions.id"), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),        # "publish" or "rollback"
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("by", sa.String(80), nullable=False),
)

users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

login_failures = sa.Table(                                      # see auth/accounts.py
    "login_failures", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("address", sa.String(64), nullable=False),       # IPv4 address or IPv6 /64, "-" if none
    sa.Column("username", sa.String(80), nullable=False),      # as typed (normalised, cut to 80)
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Index("ix_login_failures_address_at", "address", "at"),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("details", sa.Text, nullable=False),
)

scenarios = sa.Table(
    "plan_scenarios", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("query", sa.Text, nullable=False),                 # the planner's URL settings, JSON
    sa.Column("version_id", sa.Integer, sa.ForeignKey("dataset_versions.id"), nullable=False),
    sa.Column("selected", sa.Text, nullable=False),              # GSO codes chosen when saved, JSON list
    sa.Column("totals", sa.Text, nullable=False),                # the wave's totals when saved, JSON
    sa.Column("illustrative", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),         # deleted scenarios stay for the audit trail
    sa.Column("deleted_by", sa.String(80)),
)

# Reporting rounds (see storage/rounds.py): a period, a unit set, a due date and the indicators
# expected; district, commune or department sheets arrive as submissions and merge unit by unit.
rounds = sa.Table(
    "report_rounds", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("period", sa.String(40), nullable=False),
    sa.Column("units", sa.String(4), nullable=False),
    sa.Column("due", sa.Date),
    sa.Column("indicators", sa.Text, nullable=False),            # expected indicator ids, JSON list
    sa.Column("status", sa.String(12), nullable=False),          # "open" or "closed" (no more submissions)
    # "round": created as a reporting round (a unit it lacks has not reported); "file": one file
    # imported as the whole table of its period (a unit it lacks simply has no data).
    sa.Column("kind", sa.String(8), nullable=False, server_default="round"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(80), nullable=False),
    sa.Column("approved_by", sa.String(80)),                    # the second editor who approved its table as it is
    sa.Column("approved_at", sa.DateTime(timezone=True)),
)

submissions = sa.Table(
    "round_submissions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("round_id", sa.Integer, sa.ForeignKey("report_rounds.id"), nullable=False, index=True),
    sa.Column("sender", sa.String(200), nullable=False),         # who sent it, e.g. "UBND huyện Đầm Dơi"
    sa.Column("area", sa.String(10)),                           # the sender's district code; None: whole province
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("sheet", sa.String(120), nullable=False),
    sa.Column("rows_read", sa.Integer, nullable=False),
    sa.Column("rows_matched", sa.Integer, nullable=False),
    sa.Column("outside_area", sa.Text, nullable=False, server_default="[]"),  # its unit codes outside ``area``, JSON
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(80), nullable=False),
)

submission_values = sa.Table(
    "submission_values", metadata,
    sa.Column("submission_id", sa.Integer, sa.ForeignKey("round_submissions.id"), primary_key=True),
    sa.Column("gso_code", sa.String(5), primary_key=True),
    sa.Column("indicator", sa.String(60), primary_key=True),
    sa.Column("value", sa.Float, nullable=False),
)

# Editors' sign-in sessions (auth/sessions.py): the token itself lives only in the editor's cookie.
editor_sessions = sa.Table(
    "editor_sessions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)
