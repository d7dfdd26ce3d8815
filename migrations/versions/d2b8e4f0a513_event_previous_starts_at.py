"""event: previous_starts_at, the start the public first saw while the event is moved from it

Revision ID: d2b8e4f0a513
Revises: d1a7c3e9f402
Create Date: 2026-12-03 12:05:00

"""
import sqlalchemy as sa
from alembic import op

import eventhub.types

# revision identifiers, used by Alembic.
revision = 'd2b8e4f0a513'
down_revision = 'd1a7c3e9f402'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_starts_at', eventhub.types.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('previous_starts_at')
