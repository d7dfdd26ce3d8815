"""event: version and seats_version, what the event page's cached parts are keyed by

Revision ID: f4c8a2e6b130
Revises: e3b1c7d9a420
Create Date: 2026-12-04 04:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f4c8a2e6b130'
down_revision = 'e3b1c7d9a420'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('seats_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('seats_version')
        batch_op.drop_column('version')
