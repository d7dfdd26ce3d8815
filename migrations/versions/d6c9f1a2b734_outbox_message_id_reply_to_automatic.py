"""outbox: a unique key for each Message-ID, Reply-To, and whether the system wrote the message

Revision ID: d6c9f1a2b734
Revises: d5a7c3e91f20
Create Date: 2026-12-03 12:55:00

"""
from uuid import uuid4

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd6c9f1a2b734'
down_revision = 'd5a7c3e91f20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_key', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('reply_to', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('automatic', sa.Boolean(), server_default=sa.true(), nullable=False))
    message = sa.table('outbox_message', sa.column('id', sa.Integer), sa.column('message_key', sa.String),
                       sa.column('mailing_id', sa.Integer), sa.column('automatic', sa.Boolean))
    connection = op.get_bind()
    for (message_id,) in connection.execute(sa.select(message.c.id)).all():
        connection.execute(message.update().where(message.c.id == message_id).values(message_key=str(uuid4())))
    connection.execute(message.update().where(message.c.mailing_id.is_not(None)).values(automatic=False))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('message_key', existing_type=sa.String(length=36), nullable=False)


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('automatic')
        batch_op.drop_column('reply_to')
        batch_op.drop_column('message_key')
