"""outbox ticket payload drawn at delivery

Revision ID: 6a31bdd03023
Revises: 69aa7c81500d
Create Date: 2026-11-24 06:15:40.601406

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6a31bdd03023'
down_revision = '69aa7c81500d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_payload', sa.String(length=120), nullable=True))


def downgrade():
    # Draw the QR codes of messages still to be sent, so that none goes out without its ticket.
    from eventhub.registration.qr import qr_png

    bind = op.get_bind()
    outbox = sa.table('outbox_message', sa.column('id', sa.Integer), sa.column('ticket_payload', sa.String),
                      sa.column('attachment_data', sa.LargeBinary))
    pending = bind.execute(sa.select(outbox.c.id, outbox.c.ticket_payload)
                           .where(outbox.c.ticket_payload.is_not(None), outbox.c.attachment_data.is_(None))).all()
    for message_id, payload in pending:
        bind.execute(sa.update(outbox).where(outbox.c.id == message_id).values(attachment_data=qr_png(payload)))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('ticket_payload')
