"""import_batch.data_from: the first day a batch's rows speak of (None: not dated, or every
period, such as a roster or targets), so a closed quarter's figures are kept until a batch that
reaches into it changes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 23:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# kind → (fact table, its date column): what earlier batches are backfilled from
_DATED = {
    "activity": ("activity", "date"),
    "activity_counts": ("activity_count", "period_start"),
    "study": ("study_record", "date"),
    "xuexi": ("xuexi_score", "period_start"),
    "records": ("other_record", "date"),
}


def upgrade() -> None:
    with op.batch_alter_table('import_batch') as batch:
        batch.add_column(sa.Column('data_from', sa.Date(), nullable=True))
    for kind, (table, column) in _DATED.items():
        op.execute(
            f"UPDATE import_batch SET data_from = (SELECT min(t.{column}) FROM {table} t"
            f" WHERE t.batch_id = import_batch.id) WHERE kind = '{kind}'")


def downgrade() -> None:
    with op.batch_alter_table('import_batch') as batch:
        batch.drop_column('data_from')
