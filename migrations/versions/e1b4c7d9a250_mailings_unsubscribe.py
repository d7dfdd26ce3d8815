"""mailings: a person may stop the organisers' mailings (List-Unsubscribe), recorded as a consent

Revision ID: e1b4c7d9a250
Revises: e1f4a7c2b905
Create Date: 2026-12-04 09:30:00

"""
import sqlalchemy as sa
from alembic import op

import eventhub.types

# revision identifiers, used by Alembic.
revision = 'e1b4c7d9a250'
down_revision = 'e1f4a7c2b905'
branch_labels = None
depends_on = None

KINDS_BEFORE = "kind IN ('privacy_notice', 'special_category', 'photo')"
KINDS_AFTER = "kind IN ('privacy_notice', 'special_category', 'photo', 'mailings')"


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mailings_stopped_at', eventhub.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsubscribe_url', sa.String(length=300), nullable=True))
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_consent_record_kind_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_consent_record_kind_valid'), KINDS_AFTER)


def downgrade():
    op.execute("DELETE FROM consent_record WHERE kind = 'mailings'")
    with op.batch_alter_table('consent_record', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_consent_record_kind_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_consent_record_kind_valid'), KINDS_BEFORE)
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('unsubscribe_url')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('mailings_stopped_at')
