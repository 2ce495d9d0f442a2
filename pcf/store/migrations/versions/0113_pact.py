"""PACT exchange: callback hosts, received events, requests to answer (issue 13).

Revision ID: 0113
Revises: 0101
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Register the PACT tables on pcf's declarative Base whenever the migrations are loaded (as
# 0101 does for the certificate tables); the schema itself is written out below.
import pcf.store.pact  # noqa: F401,E402

revision = "0113"
down_revision = "0101"
branch_labels = None
depends_on = None

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "pact_callback_hosts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(),
                  sa.ForeignKey("tenants.id", ondelete="CASCADE",
                                name="fk_pact_callback_hosts_tenant"), nullable=False),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("client_id", sa.String(300), nullable=False),
        sa.Column("client_secret_enc", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "origin", name="uq_pact_callback_origin"),
    )
    op.create_table(
        "pact_events",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("tenant_id", sa.Integer(),
                  sa.ForeignKey("tenants.id", ondelete="CASCADE",
                                name="fk_pact_events_tenant"), nullable=False),
        sa.Column("event_id", sa.String(300), nullable=False),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("type", sa.String(120), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body_json", sa.Text(), nullable=False),
        sa.UniqueConstraint("tenant_id", "source", "event_id",
                            name="uq_pact_events_source_id"),
    )
    op.create_table(
        "pact_requests",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("tenant_id", sa.Integer(),
                  sa.ForeignKey("tenants.id", ondelete="CASCADE",
                                name="fk_pact_requests_tenant"), nullable=False),
        sa.Column("event_pk", BigIntPK,
                  sa.ForeignKey("pact_events.id", ondelete="CASCADE",
                                name="fk_pact_requests_event"), nullable=False),
        sa.Column("request_event_id", sa.String(300), nullable=False),
        sa.Column("callback_url", sa.String(1100), nullable=False),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("response_json", sa.Text(), nullable=True),
        sa.Column("certificate_ids", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("event_pk"),
        sa.CheckConstraint("state IN ('received', 'fulfilled', 'rejected', 'delivered', "
                           "'abandoned')", name="ck_pact_requests_state"),
    )
    op.create_index("ix_pact_requests_due", "pact_requests", ["state", "next_attempt_at"])
    op.create_index("ix_pact_requests_tenant", "pact_requests", ["tenant_id"])


def downgrade() -> None:
    op.drop_index("ix_pact_requests_tenant", table_name="pact_requests")
    op.drop_index("ix_pact_requests_due", table_name="pact_requests")
    op.drop_table("pact_requests")
    op.drop_table("pact_events")
    op.drop_table("pact_callback_hosts")
