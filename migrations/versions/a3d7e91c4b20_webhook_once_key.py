"""webhook deliveries: a unique once_key for events notified only once (a theme emerging in a quarter)

Revision ID: a3d7e91c4b20
Revises: 3c4d2a9e7b61
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3d7e91c4b20'
down_revision = '3c4d2a9e7b61'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('once_key', sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_once_key'), ['once_key'], unique=True)


def downgrade():
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_once_key'))
        batch_op.drop_column('once_key')
