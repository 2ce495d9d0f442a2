"""Initial schema: tenants, api_keys, orders, order_lines.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("name", name="uq_tenants_name"),
        sa.CheckConstraint("role IN ('customer', 'engineer', 'admin')", name="ck_tenants_role"),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(),
                  sa.ForeignKey("tenants.id", ondelete="CASCADE", name="fk_api_keys_tenant"),
                  nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_index("ix_api_keys_tenant_id", "api_keys", ["tenant_id"])
    op.create_table(
        "orders",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("tenant_id", sa.Integer(),
                  sa.ForeignKey("tenants.id", ondelete="CASCADE", name="fk_orders_tenant"),
                  nullable=False),
        sa.Column("order_id", sa.String(128), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("request_json", sa.Text(), nullable=False),
        sa.Column("total_json", sa.Text(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("database_version", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "order_id", name="uq_orders_tenant_order"),
    )
    op.create_table(
        "order_lines",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("order_pk", BigIntPK,
                  sa.ForeignKey("orders.id", ondelete="CASCADE", name="fk_order_lines_order"),
                  nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.String(128), nullable=False),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("variant", sa.String(100), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("kg_co2e_total", sa.Float(), nullable=False),
        sa.Column("database_version", sa.String(128), nullable=False),
        sa.Column("footprint_json", sa.Text(), nullable=False),
        sa.UniqueConstraint("order_pk", "line_id", name="uq_order_lines_order_line"),
    )
    op.create_index("ix_order_lines_order_position", "order_lines", ["order_pk", "position"])


def downgrade() -> None:
    op.drop_index("ix_order_lines_order_position", table_name="order_lines")
    op.drop_table("order_lines")
    op.drop_table("orders")
    op.drop_index("ix_api_keys_tenant_id", table_name="api_keys")
    op.drop_table("api_keys")
    op.drop_table("tenants")
