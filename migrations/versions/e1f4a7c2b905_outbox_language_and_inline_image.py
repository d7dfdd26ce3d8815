"""outbox: the reader's language and an image's text alternative, for the HTML part made at delivery;
the never-used body_html column goes (the HTML is made from the text, not stored)

Revision ID: e1f4a7c2b905
Revises: d6c9f1a2b734
Create Date: 2026-12-04 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e1f4a7c2b905'
down_revision = 'd6c9f1a2b734'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('attachment_alt', sa.String(length=200), nullable=True))
        batch_op.drop_column('body_html')
    # Messages still waiting speak their registration's language; the others the default locale.
    op.execute("UPDATE outbox_message SET language = (SELECT registration.language FROM registration"
               " WHERE registration.id = outbox_message.registration_id) WHERE registration_id IS NOT NULL")


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=True))
        batch_op.drop_column('attachment_alt')
        batch_op.drop_column('language')
