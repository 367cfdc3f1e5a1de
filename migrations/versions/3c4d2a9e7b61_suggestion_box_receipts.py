"""suggestion-box entries get a receipt code (stored hashed)

Revision ID: 3c4d2a9e7b61
Revises: 6a00bc4765f7
Create Date: 2026-12-01 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c4d2a9e7b61'
down_revision = '6a00bc4765f7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_suggestions_receipt_hash'), ['receipt_hash'])


def downgrade():
    with op.batch_alter_table('suggestions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_suggestions_receipt_hash'), type_='unique')
        batch_op.drop_column('receipt_hash')
