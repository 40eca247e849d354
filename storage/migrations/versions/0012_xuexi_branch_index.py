"""xuexi_score: indexes a one-branch read seeks (the branch's rows by branch and period; whether any
row carries a member code), so a secretary's page does not scan every 学习强国 row of the year

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 19:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_xuexi_score_branch', 'xuexi_score', ['is_current', 'branch_id', 'period_end'])
    # exports seldom carry 党员编号: a partial index costs an import nothing when they do not
    op.create_index('ix_xuexi_score_code', 'xuexi_score', ['member_code'],
                    sqlite_where=sa.text('member_code IS NOT NULL'),
                    postgresql_where=sa.text('member_code IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('ix_xuexi_score_code', table_name='xuexi_score')
    op.drop_index('ix_xuexi_score_branch', table_name='xuexi_score')
