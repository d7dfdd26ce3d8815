"""reminders: each event's reminders and who has had them; the event's directions and platform test link,
and its certificates of attendance (switch, signatory)

Every existing event gets the default reminders (two days and two hours before the start), set now: a
reminder whose moment has already passed is not sent late (eventhub.reminders.services).

Revision ID: f2c8a4d1b9e3
Revises: f4c8a2e6b130
Create Date: 2026-12-04 10:00:00

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import eventhub.types

# revision identifiers, used by Alembic.
revision = 'f2c8a4d1b9e3'
down_revision = 'f4c8a2e6b130'
branch_labels = None
depends_on = None

DEFAULT_MINUTES_BEFORE = (2 * 24 * 60, 2 * 60)


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('platform_test_url', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('directions', sa.Text(), server_default=sa.text("''"), nullable=False))
        batch_op.add_column(sa.Column('certificates_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('certificate_signatory', sa.String(length=200), server_default=sa.text("''"),
                                      nullable=False))
        batch_op.create_check_constraint(op.f('ck_event_directions_length'), 'length(directions) <= 2000')

    op.create_table('reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('minutes_before', sa.Integer(), nullable=False),
    sa.Column('intro_sv', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('intro_en', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('set_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(intro_sv) <= 2000 AND length(intro_en) <= 2000', name=op.f('ck_reminder_intro_length')),
    sa.CheckConstraint('minutes_before BETWEEN 1 AND 86400', name=op.f('ck_reminder_minutes_before_sane')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_reminder_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder')),
    sa.UniqueConstraint('event_id', 'minutes_before', name='uq_reminder_event_minutes')
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_event_id'), ['event_id'], unique=False)

    op.create_table('reminder_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reminder_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('event_starts_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('sent_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('on_site', 'digital', 'waitlist')", name=op.f('ck_reminder_delivery_kind_valid')),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_message.id'],
                            name=op.f('fk_reminder_delivery_message_id_outbox_message'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'],
                            name=op.f('fk_reminder_delivery_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reminder_id'], ['reminder.id'], name=op.f('fk_reminder_delivery_reminder_id_reminder'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_delivery')),
    sa.UniqueConstraint('reminder_id', 'registration_id', 'event_starts_at', name='uq_reminder_delivery_once')
    )
    with op.batch_alter_table('reminder_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_delivery_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_delivery_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_delivery_reminder_id'), ['reminder_id'], unique=False)
        batch_op.create_index('uq_reminder_delivery_one_waitlist_note', ['registration_id', 'event_starts_at'],
                              unique=True, sqlite_where=sa.text("kind = 'waitlist'"),
                              postgresql_where=sa.text("kind = 'waitlist'"))

    # Every event has the default reminders, as a new one gets them.
    connection = op.get_bind()
    now = datetime.now(UTC)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # as eventhub.types.UTCDateTime stores it there
    event_ids = connection.execute(sa.text("SELECT id FROM event")).scalars().all()
    reminder = sa.table('reminder', sa.column('event_id', sa.Integer), sa.column('minutes_before', sa.Integer),
                        sa.column('set_at', sa.DateTime), sa.column('created_at', sa.DateTime))
    rows = [{"event_id": event_id, "minutes_before": minutes, "set_at": now, "created_at": now}
            for event_id in event_ids for minutes in DEFAULT_MINUTES_BEFORE]
    if rows:
        op.bulk_insert(reminder, rows)


def downgrade():
    with op.batch_alter_table('reminder_delivery', schema=None) as batch_op:
        batch_op.drop_index('uq_reminder_delivery_one_waitlist_note', sqlite_where=sa.text("kind = 'waitlist'"),
                            postgresql_where=sa.text("kind = 'waitlist'"))
        batch_op.drop_index(batch_op.f('ix_reminder_delivery_reminder_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_delivery_registration_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_delivery_message_id'))
    op.drop_table('reminder_delivery')
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_event_id'))
    op.drop_table('reminder')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_event_directions_length'), type_='check')
        batch_op.drop_column('certificate_signatory')
        batch_op.drop_column('certificates_enabled')
        batch_op.drop_column('directions')
        batch_op.drop_column('platform_test_url')
