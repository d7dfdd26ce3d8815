"""outbox attachments drawn by a named renderer

The outbox no longer knows that the attachment it draws at delivery is a ticket: a message
names the renderer (the registration package registers "ticket_qr") and what to draw from.

Revision ID: b7e51c0d2a94
Revises: 6a31bdd03023
Create Date: 2026-12-01 23:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e51c0d2a94'
down_revision = '6a31bdd03023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('ticket_payload', new_column_name='attachment_source',
                              existing_type=sa.String(length=120), existing_nullable=True)
        batch_op.add_column(sa.Column('attachment_renderer', sa.String(length=40), nullable=True))
    outbox = sa.table('outbox_message', sa.column('attachment_source', sa.String),
                      sa.column('attachment_renderer', sa.String))
    op.execute(sa.update(outbox).where(outbox.c.attachment_source.is_not(None))
               .values(attachment_renderer='ticket_qr'))


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('attachment_renderer')
        batch_op.alter_column('attachment_source', new_column_name='ticket_payload',
                              existing_type=sa.String(length=120), existing_nullable=True)
