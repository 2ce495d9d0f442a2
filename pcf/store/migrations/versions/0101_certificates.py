"""Footprint certificates: certificates, certificate_revocations, immutability triggers.

Revision ID: 0101
Revises: 0001
Create Date: 2026-11-21
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Register the certificate tables on pcf's declarative Base (pcf.store.models.Base) whenever
# the migrations are loaded, so that Base.metadata mirrors the migrated schema (the schema
# itself is written out below and does not depend on the ORM classes).
import pcf.store.certificates  # noqa: F401,E402

revision = "0101"
down_revision = "0001"
branch_labels = None
depends_on = None

BigIntPK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER trg_certificates_no_update BEFORE UPDATE ON certificates
       WHEN OLD.sha256 <> ''
       BEGIN SELECT RAISE(ABORT, 'pcf: certificates are immutable'); END""",
    """CREATE TRIGGER trg_certificates_no_delete BEFORE DELETE ON certificates
       BEGIN SELECT RAISE(ABORT, 'pcf: certificates are never deleted'); END""",
    """CREATE TRIGGER trg_certificate_revocations_no_update
       BEFORE UPDATE ON certificate_revocations
       BEGIN SELECT RAISE(ABORT, 'pcf: revocations are immutable'); END""",
    """CREATE TRIGGER trg_certificate_revocations_no_delete
       BEFORE DELETE ON certificate_revocations
       BEGIN SELECT RAISE(ABORT, 'pcf: revocations are never deleted'); END""",
)

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION pcf_certificates_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'pcf: % rows are never deleted', TG_TABLE_NAME;
    END IF;
    IF TG_TABLE_NAME = 'certificates' THEN
        IF OLD.sha256 = '' THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'pcf: % rows are immutable', TG_TABLE_NAME;
END
$$
"""

_PG_TRIGGERS = (
    """CREATE TRIGGER trg_certificates_immutable BEFORE UPDATE OR DELETE ON certificates
       FOR EACH ROW EXECUTE FUNCTION pcf_certificates_immutable()""",
    """CREATE TRIGGER trg_certificate_revocations_immutable
       BEFORE UPDATE OR DELETE ON certificate_revocations
       FOR EACH ROW EXECUTE FUNCTION pcf_certificates_immutable()""",
)


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", BigIntPK, primary_key=True),
        sa.Column("certificate_id", sa.String(36), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("tenant_id", sa.Integer(),
                  sa.ForeignKey("tenants.id", name="fk_certificates_tenant"), nullable=False),
        sa.Column("order_pk", BigIntPK,
                  sa.ForeignKey("orders.id", name="fk_certificates_order"), nullable=False),
        sa.Column("order_id", sa.String(128), nullable=False),
        sa.Column("line_id", sa.String(128), nullable=False),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(200), nullable=False),
        sa.Column("supersedes_pk", BigIntPK,
                  sa.ForeignKey("certificates.id", name="fk_certificates_supersedes"),
                  nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("database_version", sa.String(128), nullable=False),
        sa.Column("kg_co2e_total", sa.Float(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("signature_json", sa.Text(), nullable=False),
        sa.Column("document_json", sa.Text(), nullable=False),
        sa.UniqueConstraint("certificate_id"),
        sa.UniqueConstraint("number"),
        sa.UniqueConstraint("supersedes_pk"),
    )
    op.create_index("ix_certificates_line", "certificates", ["order_pk", "line_id"])
    op.create_index("ix_certificates_tenant", "certificates", ["tenant_id"])
    op.create_table(
        "certificate_revocations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("certificate_pk", BigIntPK,
                  sa.ForeignKey("certificates.id",
                                name="fk_certificate_revocations_certificate"),
                  nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.UniqueConstraint("certificate_pk"),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(_PG_FUNCTION)
        for statement in _PG_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("trg_certificate_revocations_no_delete",
                     "trg_certificate_revocations_no_update",
                     "trg_certificates_no_delete", "trg_certificates_no_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_certificate_revocations_immutable "
                   "ON certificate_revocations")
        op.execute("DROP TRIGGER IF EXISTS trg_certificates_immutable ON certificates")
        op.execute("DROP FUNCTION IF EXISTS pcf_certificates_immutable()")
    op.drop_table("certificate_revocations")
    op.drop_index("ix_certificates_tenant", table_name="certificates")
    op.drop_index("ix_certificates_line", table_name="certificates")
    op.drop_table("certificates")
