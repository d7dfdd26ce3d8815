"""groups: who has had the email that group choice is open (once per person)

Revision ID: b8d4f1a6c392
Revises: a7e3c9d2f481
Create Date: 2026-12-06 21:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

import eventhub.types


# revision identifiers, used by Alembic.
revision = 'b8d4f1a6c392'
down_revision = 'a7e3c9d2f481'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('group_choice_invitation',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_group_choice_invitation_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_group_choice_invitation_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_group_choice_invitation'))
    )
    with op.batch_alter_table('group_choice_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_choice_invitation_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('group_choice_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_choice_invitation_event_id'))

    op.drop_table('group_choice_invitation')
