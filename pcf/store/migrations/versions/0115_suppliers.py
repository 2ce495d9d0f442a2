"""Supplier-specific footprints and the supplier keys pcf trusts (issue 15).

One file on purpose: if another branch adds a revision after 0113 first, re-point
``down_revision`` here and nothing else changes.

Revision ID: 0115
Revises: 0201 (re-pointed from 0113 when merged after issue 19's 0201)
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Register the supplier tables on pcf's declarative Base whenever the migrations are loaded
# (as 0101 and 0113 do); the schema itself is written out below.
import pcf.store.suppliers  # noqa: F401,E402

revision = "0115"
down_revision = "0201"
branch_labels = None
depends_on = None

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "supplier_footprints",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("record_id", sa.String(36), nullable=False, unique=True),
        sa.Column("company", sa.String(100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("input", sa.String(40), nullable=False),
        sa.Column("supplier", sa.String(300), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("kg_co2e_total", sa.Float(), nullable=False),
        sa.Column("kg_co2e_fossil", sa.Float(), nullable=False),
        sa.Column("kg_co2e_biogenic", sa.Float(), nullable=False),
        sa.Column("kg_co2e_land_use", sa.Float(), nullable=False),
        sa.Column("declared_unit", sa.String(40), nullable=False),
        sa.Column("boundary", sa.String(40), nullable=False),
        sa.Column("reference_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reference_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("primary_data_share", sa.Float(), nullable=True),
        sa.Column("verification", sa.String(40), nullable=False),
        sa.Column("way_in", sa.String(20), nullable=False),
        sa.Column("pf_id", sa.String(100), nullable=True),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("detail_json", sa.Text(), nullable=False),
        sa.Column("source_document", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("company", "year", "input", "source_sha256",
                            name="uq_supplier_footprints_document"),
    )
    op.create_table(
        "supplier_keys",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("public_key", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.UniqueConstraint("name", name="uq_supplier_keys_name"),
        sa.UniqueConstraint("key_id", name="uq_supplier_keys_key_id"),
    )


def downgrade() -> None:
    op.drop_table("supplier_keys")
    op.drop_table("supplier_footprints")
