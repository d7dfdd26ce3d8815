"""outbox messages failed for good

A message that cannot be built or that the mail server refuses for good (a 5xx reply) is no
longer retried for ever: it is marked failed, with a one-word reason the organiser's page shows.

Revision ID: d5a7c3e9f102
Revises: c41f8e2b9d07
Create Date: 2026-12-03 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

from eventhub.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'd5a7c3e9f102'
down_revision = 'c41f8e2b9d07'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('failure', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_message_failed_at'), ['failed_at'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_failed_at'))
        batch_op.drop_column('failure')
        batch_op.drop_column('failed_at')
