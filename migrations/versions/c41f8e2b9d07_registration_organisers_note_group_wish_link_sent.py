"""registration: the organisers' note, a waitlisted person's group wish, when the link was last sent

Revision ID: c41f8e2b9d07
Revises: c3f1a8d5e207
Create Date: 2026-12-02 14:54:05.043045

"""
from alembic import op
import sqlalchemy as sa
import eventhub.types


# revision identifiers, used by Alembic.
revision = 'c41f8e2b9d07'
down_revision = 'c3f1a8d5e207'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organiser_note', sa.Text(), server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('group_wish_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('link_sent_at', eventhub.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_registration_group_wish_id'), ['group_wish_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_registration_group_wish_id_discussion_group'), 'discussion_group',
                                    ['group_wish_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(op.f('ck_registration_organiser_note_length'),
                                         'length(organiser_note) <= 2000')


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_registration_organiser_note_length'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_registration_group_wish_id_discussion_group'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_registration_group_wish_id'))
        batch_op.drop_column('link_sent_at')
        batch_op.drop_column('group_wish_id')
        batch_op.drop_column('organiser_note')
