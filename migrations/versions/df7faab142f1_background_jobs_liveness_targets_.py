"""background jobs: liveness, targets, outputs; webhook deliveries per suggestion

Existing job rows get args = [] and backend = 'thread'; downgrading drops the new columns and the
stored export files, and keeps every other row.

Revision ID: df7faab142f1
Revises: 1ccb65863fe9
Create Date: 2026-11-24 21:13:29.099694

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'df7faab142f1'
down_revision = '1ccb65863fe9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_outputs',
    sa.Column('job_id', sa.String(length=36), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['background_jobs.id'], name=op.f('fk_job_outputs_job_id_background_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_job_outputs'))
    )
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('args', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('backend', sa.String(length=10), nullable=False, server_default='thread'))
        batch_op.add_column(sa.Column('target_type', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('target_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_background_jobs_status'), ['status'], unique=False)
        batch_op.create_index('ix_background_jobs_target', ['target_type', 'target_id'], unique=False)
        batch_op.create_check_constraint(
            op.f('ck_background_jobs_status_known'), "status IN ('queued', 'running', 'succeeded', 'failed')")

    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suggestion_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_suggestion_id'), ['suggestion_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_webhook_deliveries_suggestion_id_suggestions'), 'suggestions', ['suggestion_id'], ['id'], ondelete='CASCADE')



def downgrade():
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_webhook_deliveries_suggestion_id_suggestions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_suggestion_id'))
        batch_op.drop_column('suggestion_id')

    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_background_jobs_status_known'), type_='check')
        batch_op.drop_index('ix_background_jobs_target')
        batch_op.drop_index(batch_op.f('ix_background_jobs_status'))
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('started_at')
        batch_op.drop_column('target_id')
        batch_op.drop_column('target_type')
        batch_op.drop_column('backend')
        batch_op.drop_column('args')

    op.drop_table('job_outputs')
