"""event: calendar_uid, the part of every calendar UID that no address change alters

Revision ID: d1a7c3e9f402
Revises: d5a7c3e9f102
Create Date: 2026-12-03 12:20:00

"""
from uuid import uuid4

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd1a7c3e9f402'
down_revision = 'd5a7c3e9f102'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_uid', sa.String(length=36), nullable=True))
    event = sa.table('event', sa.column('id', sa.Integer), sa.column('calendar_uid', sa.String))
    connection = op.get_bind()
    for (event_id,) in connection.execute(sa.select(event.c.id)).all():
        connection.execute(event.update().where(event.c.id == event_id).values(calendar_uid=str(uuid4())))
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.alter_column('calendar_uid', existing_type=sa.String(length=36), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_event_calendar_uid'), ['calendar_uid'])


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_event_calendar_uid'), type_='unique')
        batch_op.drop_column('calendar_uid')
