"""kept_figures: committee-wide figures (scorecards, lagging lists) computed once and shared by
every process, and kept across restarts, keyed by the data and code they came from

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 09:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kept_figures',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('part', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('quarter', sa.String(length=8), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('note', sa.Text(), server_default='', nullable=False),
        sa.PrimaryKeyConstraint('key', 'part'),
    )
    op.create_index('ix_kept_figures_kind_quarter_as_of', 'kept_figures', ['kind', 'quarter', 'as_of'])
    op.create_index('ix_kept_figures_created_at', 'kept_figures', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_kept_figures_created_at', table_name='kept_figures')
    op.drop_index('ix_kept_figures_kind_quarter_as_of', table_name='kept_figures')
    op.drop_table('kept_figures')
