"""Membership over time: roster snapshots with an as-of date, transfer dates on roster rows, and
the derived membership intervals (storage/membership.py rebuilds them with every roster change)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 19:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('import_batch') as batch:
        batch.add_column(sa.Column('as_of', sa.Date(), nullable=True))
    with op.batch_alter_table('member_version') as batch:
        batch.add_column(sa.Column('transfer_in', sa.Date(), nullable=True))
        batch.add_column(sa.Column('transfer_out', sa.Date(), nullable=True))
    op.create_table(
        'membership',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('member_id', sa.Integer(), sa.ForeignKey('member.id'), nullable=False),
        sa.Column('branch_id', sa.Integer(), sa.ForeignKey('branch.id'), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=True),
        sa.Column('end_date', sa.Date(), nullable=True),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('party_group', sa.String(length=64), nullable=True),
        sa.Column('role', sa.String(length=32), nullable=True),
        sa.Column('category', sa.String(length=32), nullable=True),
        sa.Column('join_date', sa.Date(), nullable=True),
        sa.Column('member_code', sa.String(length=64), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=True),
    )
    op.create_index('ix_membership_branch', 'membership', ['branch_id', 'name'])
    op.create_index('ix_membership_name', 'membership', ['name'])
    op.create_index('ix_membership_code', 'membership', ['member_code'])
    # Existing databases: their rosters become snapshots dated by their import; the old
    # "missing" rows (a member gone from a later roster) are what the intervals now express.
    op.execute("DELETE FROM member_version WHERE status = 'missing'")
    op.execute(
        "UPDATE member_version SET is_current = true WHERE id IN ("
        " SELECT max(v.id) FROM member_version v JOIN import_batch b ON b.id = v.batch_id"
        " WHERE b.undone_at IS NULL GROUP BY v.key"
        " HAVING sum(CASE WHEN v.is_current THEN 1 ELSE 0 END) = 0)")
    from storage.membership import rebuild  # the intervals of the rosters already imported

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_index('ix_membership_code', table_name='membership')
    op.drop_index('ix_membership_name', table_name='membership')
    op.drop_index('ix_membership_branch', table_name='membership')
    op.drop_table('membership')
    with op.batch_alter_table('member_version') as batch:
        batch.drop_column('transfer_out')
        batch.drop_column('transfer_in')
    with op.batch_alter_table('import_batch') as batch:
        batch.drop_column('as_of')
