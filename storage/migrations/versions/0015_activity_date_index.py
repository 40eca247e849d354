"""activity: an index on (is_current, date), so the first and last ledger dates (which quarters
have data: every page's quarter list, read again after every import) are two index lookups,
not a walk over every current row's branch index entry (40 ms at 5,000 branches on SQLite)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 18:30:00.000000
"""
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_activity_date', 'activity', ['is_current', 'date'])


def downgrade() -> None:
    op.drop_index('ix_activity_date', table_name='activity')
