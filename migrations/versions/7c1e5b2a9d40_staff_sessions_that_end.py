"""staff accounts: a session key that ends every session at once, forced password change, last login

Every existing account gets its own random session key, so cookies issued before the upgrade (which
hold only the user id) are refused and everyone logs in once more. Downgrading drops the three columns.

Revision ID: 7c1e5b2a9d40
Revises: fbc59e1015b6
Create Date: 2026-12-01 10:00:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1e5b2a9d40'
down_revision = 'fbc59e1015b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_key', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(), nullable=True))
    connection = op.get_bind()
    staff = sa.table('staff_users', sa.column('id', sa.Integer), sa.column('session_key', sa.String))
    for (user_id,) in connection.execute(sa.select(staff.c.id)).all():
        connection.execute(staff.update().where(staff.c.id == user_id).values(session_key=secrets.token_hex(16)))
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.alter_column('session_key', existing_type=sa.String(length=32), nullable=False)


def downgrade():
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('session_key')
