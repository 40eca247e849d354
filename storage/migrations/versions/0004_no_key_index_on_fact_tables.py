"""no key index on the fact tables that have a span column

Retiring and undoing compare keys inside the batch's range of the span column (models.VERSION_SPANS),
so the (key, is_current) index is no longer read there; keeping it up was the largest insert cost.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 03:00:00.000000
"""
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TABLES = ('activity', 'activity_count', 'study_record', 'xuexi_score', 'other_record')


def upgrade() -> None:
    for table in TABLES:
        op.drop_index(f'ix_{table}_key', table_name=table)


def downgrade() -> None:
    for table in TABLES:
        op.create_index(f'ix_{table}_key', table, ['key', 'is_current'], unique=False)
