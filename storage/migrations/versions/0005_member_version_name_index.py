"""member_version indexed by (name, branch_id, is_current)

The unknown-name check of an import asks the database, for each name just stored, whether the
current roster (of its branch, if it has one) has it: one lookup in this index per name, instead
of fetching the whole roster into Python.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 05:00:00.000000
"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_member_version_name', 'member_version', ['name', 'branch_id', 'is_current'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_member_version_name', table_name='member_version')
