"""people belong to the event they were added from

A person in the shared directory whom no programme shows yet belongs to the event whose
organisers added them: only they (and admins) may see and change that person. People added
before keep no such event and stay open to every organiser.

Revision ID: c3f1a8d5e207
Revises: c3f1a9d2e871
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3f1a8d5e207'
down_revision = 'c3f1a9d2e871'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('added_in_event_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_person_added_in_event_id'), ['added_in_event_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_person_added_in_event_id_event'), 'event',
                                    ['added_in_event_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_person_added_in_event_id_event'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_person_added_in_event_id'))
        batch_op.drop_column('added_in_event_id')
