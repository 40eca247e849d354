"""rectification tasks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rectification_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.String(length=8), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=64), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rectification_task', schema=None) as batch_op:
        batch_op.create_index('uq_rectification_task', ['quarter', 'branch_id', 'indicator'], unique=True)
        batch_op.create_index('ix_rectification_task_branch', ['branch_id', 'quarter'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('rectification_task', schema=None) as batch_op:
        batch_op.drop_index('ix_rectification_task_branch')
        batch_op.drop_index('uq_rectification_task')

    op.drop_table('rectification_task')
