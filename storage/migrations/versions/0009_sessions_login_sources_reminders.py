"""Server-side login sessions (a random token in a cookie, stored hashed), login attempts per
source address, an e-mail for accounts and branches, the reminder log (督导提醒), and room for
encrypted personal data on roster rows

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'app_session',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('token_hash', sa.String(length=64), nullable=False, unique=True),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=128), nullable=False, server_default=''),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
    )
    op.create_index('ix_app_session_username', 'app_session', ['username'])
    op.create_table(
        'login_attempt',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('source', sa.String(length=128), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
    )
    op.create_index('ix_login_attempt_source_at', 'login_attempt', ['source', 'at'])
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('email', sa.String(length=255), nullable=True))
    with op.batch_alter_table('branch') as batch:
        batch.add_column(sa.Column('email', sa.String(length=255), nullable=True))
    op.create_table(
        'reminder_log',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('recipient', sa.String(length=255), nullable=False),
        sa.Column('audience', sa.String(length=16), nullable=False),
        sa.Column('branch_id', sa.Integer(), sa.ForeignKey('branch.id'), nullable=True),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False, server_default=''),
        sa.Column('content', sa.Text(), nullable=False, server_default=''),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
    )
    op.create_index('uq_reminder_log', 'reminder_log', ['period', 'recipient', 'channel'], unique=True)
    # 联系电话 / 身份证号 are stored encrypted or not at all (storage/pii.py): a token is long
    with op.batch_alter_table('member_version') as batch:
        batch.alter_column('phone', type_=sa.Text(), existing_type=sa.String(length=32))
        batch.alter_column('id_number', type_=sa.Text(), existing_type=sa.String(length=32))
    op.execute("UPDATE member_version SET phone = NULL, id_number = NULL")  # never in clear


def downgrade() -> None:
    op.drop_index('uq_reminder_log', table_name='reminder_log')
    op.drop_table('reminder_log')
    with op.batch_alter_table('branch') as batch:
        batch.drop_column('email')
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('email')
    op.drop_index('ix_login_attempt_source_at', table_name='login_attempt')
    op.drop_table('login_attempt')
    op.drop_index('ix_app_session_username', table_name='app_session')
    op.drop_table('app_session')
