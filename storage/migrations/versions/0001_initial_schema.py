"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 14:02:06.680327
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    # The single row that versions the data and serialises writers.
    op.bulk_insert(sa.table('data_version', sa.column('id', sa.Integer), sa.column('version', sa.Integer)),
                   [{'id': 1, 'version': 0}])
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.Column('undone_by', sa.String(length=64), nullable=True),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batch_sha256'), ['sha256'], unique=False)

    op.create_table('setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('branch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('created_batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_batch_id'], ['import_batch.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('import_problem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('sheet', sa.String(length=128), nullable=False),
    sa.Column('row', sa.Integer(), nullable=True),
    sa.Column('column', sa.String(length=128), nullable=True),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('import_problem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_problem_batch_id'), ['batch_id'], unique=False)

    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('identity', sa.String(length=255), nullable=False),
    sa.Column('created_batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_batch_id'], ['import_batch.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('identity')
    )
    op.create_table('target_row',
    sa.Column('indicator', sa.String(length=64), nullable=False),
    sa.Column('branch_type', sa.String(length=16), nullable=False),
    sa.Column('period_kind', sa.String(length=16), nullable=False),
    sa.Column('target', sa.Float(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=True),
    sa.Column('quarter', sa.String(length=8), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('target_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_row_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_target_row_key', ['key', 'is_current'], unique=False)

    op.create_table('activity',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('type_raw', sa.String(length=64), nullable=False),
    sa.Column('topic', sa.Text(), nullable=True),
    sa.Column('expected', sa.Float(), nullable=True),
    sa.Column('present', sa.Float(), nullable=True),
    sa.Column('party_group', sa.String(length=64), nullable=True),
    sa.Column('speaker', sa.String(length=64), nullable=True),
    sa.Column('days', sa.Float(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_activity_cur', ['is_current', 'branch_id', 'date'], unique=False)
        batch_op.create_index('ix_activity_key', ['key', 'is_current'], unique=False)

    op.create_table('activity_count',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('count', sa.Float(), nullable=False),
    sa.Column('expected', sa.Float(), nullable=True),
    sa.Column('present', sa.Float(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('activity_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_count_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_activity_count_cur', ['is_current', 'branch_id', 'period_end'], unique=False)
        batch_op.create_index('ix_activity_count_key', ['key', 'is_current'], unique=False)

    op.create_table('branch_version',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=128), nullable=True),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('branch_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_branch_version_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_branch_version_cur', ['is_current', 'branch_id'], unique=False)
        batch_op.create_index('ix_branch_version_key', ['key', 'is_current'], unique=False)

    op.create_table('member_version',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('party_group', sa.String(length=64), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('join_date', sa.Date(), nullable=True),
    sa.Column('member_code', sa.String(length=64), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('id_number', sa.String(length=32), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('member_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_version_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_member_version_cur', ['is_current', 'branch_id'], unique=False)
        batch_op.create_index('ix_member_version_key', ['key', 'is_current'], unique=False)

    op.create_table('other_record',
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('person', sa.String(length=64), nullable=True),
    sa.Column('level', sa.String(length=16), nullable=True),
    sa.Column('quantity', sa.Float(), nullable=False),
    sa.Column('measure', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('other_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_other_record_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_other_record_cur', ['is_current', 'date'], unique=False)
        batch_op.create_index('ix_other_record_key', ['key', 'is_current'], unique=False)

    op.create_table('study_record',
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('form', sa.String(length=32), nullable=False),
    sa.Column('content', sa.Text(), nullable=True),
    sa.Column('hours', sa.Float(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('study_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_record_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_study_record_cur', ['is_current', 'branch_id', 'date'], unique=False)
        batch_op.create_index('ix_study_record_key', ['key', 'is_current'], unique=False)

    op.create_table('xuexi_score',
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.Column('department', sa.Text(), nullable=True),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('member_code', sa.String(length=64), nullable=True),
    sa.Column('activated', sa.Boolean(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('interval_points', sa.Float(), nullable=True),
    sa.Column('total_points', sa.Float(), nullable=True),
    sa.Column('daily_question', sa.Float(), nullable=True),
    sa.Column('active_days', sa.Float(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], ),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('xuexi_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xuexi_score_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_xuexi_score_cur', ['is_current', 'period_end', 'branch_id'], unique=False)
        batch_op.create_index('ix_xuexi_score_key', ['key', 'is_current'], unique=False)

    op.create_table('activity_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('activity_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_person_activity_id'), ['activity_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('activity_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_person_activity_id'))

    op.drop_table('activity_person')
    with op.batch_alter_table('xuexi_score', schema=None) as batch_op:
        batch_op.drop_index('ix_xuexi_score_key')
        batch_op.drop_index('ix_xuexi_score_cur')
        batch_op.drop_index(batch_op.f('ix_xuexi_score_batch_id'))

    op.drop_table('xuexi_score')
    with op.batch_alter_table('study_record', schema=None) as batch_op:
        batch_op.drop_index('ix_study_record_key')
        batch_op.drop_index('ix_study_record_cur')
        batch_op.drop_index(batch_op.f('ix_study_record_batch_id'))

    op.drop_table('study_record')
    with op.batch_alter_table('other_record', schema=None) as batch_op:
        batch_op.drop_index('ix_other_record_key')
        batch_op.drop_index('ix_other_record_cur')
        batch_op.drop_index(batch_op.f('ix_other_record_batch_id'))

    op.drop_table('other_record')
    with op.batch_alter_table('member_version', schema=None) as batch_op:
        batch_op.drop_index('ix_member_version_key')
        batch_op.drop_index('ix_member_version_cur')
        batch_op.drop_index(batch_op.f('ix_member_version_batch_id'))

    op.drop_table('member_version')
    with op.batch_alter_table('branch_version', schema=None) as batch_op:
        batch_op.drop_index('ix_branch_version_key')
        batch_op.drop_index('ix_branch_version_cur')
        batch_op.drop_index(batch_op.f('ix_branch_version_batch_id'))

    op.drop_table('branch_version')
    with op.batch_alter_table('activity_count', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_count_key')
        batch_op.drop_index('ix_activity_count_cur')
        batch_op.drop_index(batch_op.f('ix_activity_count_batch_id'))

    op.drop_table('activity_count')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_key')
        batch_op.drop_index('ix_activity_cur')
        batch_op.drop_index(batch_op.f('ix_activity_batch_id'))

    op.drop_table('activity')
    with op.batch_alter_table('target_row', schema=None) as batch_op:
        batch_op.drop_index('ix_target_row_key')
        batch_op.drop_index(batch_op.f('ix_target_row_batch_id'))

    op.drop_table('target_row')
    op.drop_table('member')
    with op.batch_alter_table('import_problem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_problem_batch_id'))

    op.drop_table('import_problem')
    op.drop_table('branch')
    op.drop_table('setting')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batch_sha256'))

    op.drop_table('import_batch')
    op.drop_table('data_version')
