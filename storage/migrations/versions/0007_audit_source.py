"""audit_log.source: where each change came from (client address, or cli:<OS user>)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 18:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('source', sa.String(length=128), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_column('source')
