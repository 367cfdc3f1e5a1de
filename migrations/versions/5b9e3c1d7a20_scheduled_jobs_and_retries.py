"""background jobs: due time, attempts and retry delays (the scheduler; retries without sleeping)

Existing job rows get attempts = 0 and no due time; downgrading drops the three columns and the index.

Revision ID: 5b9e3c1d7a20
Revises: 1fae8c644c7a
Create Date: 2026-12-01 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b9e3c1d7a20'
down_revision = '1fae8c644c7a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('run_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('retry_delays', sa.JSON(), nullable=True))
        batch_op.create_index('ix_background_jobs_due', ['status', 'run_at'], unique=False)


def downgrade():
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_background_jobs_due')
        batch_op.drop_column('retry_delays')
        batch_op.drop_column('attempts')
        batch_op.drop_column('run_at')
