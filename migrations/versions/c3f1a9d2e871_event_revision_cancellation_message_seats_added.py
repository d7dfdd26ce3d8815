"""event revision, first publication, cancellation message, dietary question setting, seats added by overrides

Revision ID: c3f1a9d2e871
Revises: b7e51c0d2a94
Create Date: 2026-12-02 14:40:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import eventhub.types


# revision identifiers, used by Alembic.
revision = 'c3f1a9d2e871'
down_revision = 'b7e51c0d2a94'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_site_seats_added', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('digital_seats_added', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('asks_dietary_needs', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('cancellation_message', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('published_at', eventhub.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(op.f('ck_event_seats_added_non_negative'),
                                         'on_site_seats_added >= 0 AND digital_seats_added >= 0')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.alter_column('cancellation_message', server_default=None)  # only to fill the existing rows
    # Calendars already out in the world carry the old SEQUENCE (minutes since 2020 at the last
    # change): the counter starts there, so a client never sees the sequence fall.
    connection = op.get_bind()
    events = sa.table('event', sa.column('id', sa.Integer), sa.column('updated_at', sa.DateTime),
                      sa.column('revision', sa.Integer))
    epoch = datetime(2020, 1, 1)
    for event_id, updated_at in connection.execute(sa.select(events.c.id, events.c.updated_at)).all():
        if isinstance(updated_at, str):  # SQLite hands the stored text back through a plain table
            updated_at = datetime.fromisoformat(updated_at)
        if updated_at.tzinfo is not None:
            updated_at = updated_at.astimezone(UTC).replace(tzinfo=None)
        minutes = int((updated_at - epoch).total_seconds() // 60)
        connection.execute(events.update().where(events.c.id == event_id).values(revision=max(1, minutes + 1)))
    # What is public now was published at some point; its creation is the best date we have.
    op.execute("UPDATE event SET published_at = created_at WHERE status IN ('published', 'cancelled')")
    # A digital-only event has nobody to feed.
    op.execute("UPDATE event SET asks_dietary_needs = false WHERE format = 'digital'")
    with op.batch_alter_table('discussion_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seats_added', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_discussion_group_seats_added_non_negative'), 'seats_added >= 0')


def downgrade():
    with op.batch_alter_table('discussion_group', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_discussion_group_seats_added_non_negative'), type_='check')
        batch_op.drop_column('seats_added')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_event_seats_added_non_negative'), type_='check')
        batch_op.drop_column('published_at')
        batch_op.drop_column('revision')
        batch_op.drop_column('cancellation_message')
        batch_op.drop_column('asks_dietary_needs')
        batch_op.drop_column('digital_seats_added')
        batch_op.drop_column('on_site_seats_added')
