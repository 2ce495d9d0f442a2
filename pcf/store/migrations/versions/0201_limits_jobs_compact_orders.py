"""Limits, key management, order jobs and orders stored in proportion (issue 19).

- ``tenants.rate_limit`` and ``tenants.daily_order_lines``: per-tenant limits set by an admin
  (NULL: the server default);
- ``api_keys.expires_at`` (optional expiry) and ``api_keys.last_used_at``;
- ``order_footprints``: the distinct footprints per declared unit of an order, stored once
  each (a 5,000-line order of 21 distinct product settings stores 21, not 5,000);
- ``order_lines``: per line only what is the line's own (requested parameters, quantity in
  the declared unit, the line totals, which order footprint it uses); ``footprint_json`` (a
  whole Footprint per line) stays for orders stored before this revision and is ``""`` after;
- ``orders.request_json`` is ``""`` for new orders: the lines hold the normalised request.

Only columns are added (no table is rebuilt): on SQLite a batch rebuild of ``orders`` would
drop and recreate a table that ``order_lines`` and ``certificates`` reference.

Tables added:

- ``order_line_usage``: order lines accepted per tenant and UTC day (the daily quota);
- ``order_jobs``: orders scored off the request path (queue, lease, outcome);
- ``rate_limit_counters``: fixed-window counters of the request rate limits.

Revision ID: 0201
Revises: 0101
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0201"
down_revision = "0113"
branch_labels = None
depends_on = None

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("tenants", sa.Column("rate_limit", sa.String(100), nullable=True))
    op.add_column("tenants", sa.Column("daily_order_lines", sa.Integer(), nullable=True))
    op.add_column("api_keys", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("api_keys",
                  sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "order_footprints",
        sa.Column("order_pk", BigIntPK,
                  sa.ForeignKey("orders.id", ondelete="CASCADE",
                                name="fk_order_footprints_order"),
                  primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("footprint_json", sa.Text(), nullable=False),
    )
    for column in (sa.Column("footprint_number", sa.Integer(), nullable=True),
                   sa.Column("parameters_json", sa.Text(), nullable=True),
                   sa.Column("quantity_in_declared_unit", sa.Float(), nullable=True),
                   sa.Column("kg_co2e_fossil", sa.Float(), nullable=True),
                   sa.Column("kg_co2e_biogenic", sa.Float(), nullable=True),
                   sa.Column("kg_co2e_land_use", sa.Float(), nullable=True)):
        op.add_column("order_lines", column)
    op.create_table(
        "order_line_usage",
        sa.Column("tenant_id", sa.Integer(),
                  sa.ForeignKey("tenants.id", ondelete="CASCADE",
                                name="fk_order_line_usage_tenant"),
                  primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("lines", sa.Integer(), nullable=False),
    )
    op.create_table(
        "order_jobs",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("job_id", sa.String(36), nullable=False),
        sa.Column("tenant_id", sa.Integer(),
                  sa.ForeignKey("tenants.id", ondelete="CASCADE", name="fk_order_jobs_tenant"),
                  nullable=False),
        sa.Column("order_id", sa.String(128), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("request_json", sa.Text(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome_json", sa.Text(), nullable=True),
        sa.UniqueConstraint("job_id", name="uq_order_jobs_job_id"),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')",
                           name="ck_order_jobs_state"),
    )
    op.create_index("ix_order_jobs_state", "order_jobs", ["state", "id"])
    op.create_index("ix_order_jobs_tenant_state", "order_jobs", ["tenant_id", "state"])
    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rate_limit_counters")
    op.drop_index("ix_order_jobs_tenant_state", table_name="order_jobs")
    op.drop_index("ix_order_jobs_state", table_name="order_jobs")
    op.drop_table("order_jobs")
    op.drop_table("order_line_usage")
    # Orders stored compactly since 0201 have no per-line Footprint: downgrading loses them.
    for name in ("kg_co2e_land_use", "kg_co2e_biogenic", "kg_co2e_fossil",
                 "quantity_in_declared_unit", "parameters_json", "footprint_number"):
        op.drop_column("order_lines", name)
    op.drop_table("order_footprints")
    op.drop_column("api_keys", "last_used_at")
    op.drop_column("api_keys", "expires_at")
    op.drop_column("tenants", "daily_order_lines")
    op.drop_column("tenants", "rate_limit")
