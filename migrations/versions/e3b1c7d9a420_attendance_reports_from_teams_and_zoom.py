"""attendance: the attendance reports of Teams and Zoom meetings, imported and matched to registrations

Revision ID: e3b1c7d9a420
Revises: e1b4c7d9a250
Create Date: 2026-12-03 14:04:00

"""
import sqlalchemy as sa
from alembic import op

import eventhub.types


# revision identifiers, used by Alembic.
revision = 'e3b1c7d9a420'
down_revision = 'e1b4c7d9a250'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attendance_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=8), nullable=False),
    sa.Column('meeting_key', sa.String(length=64), nullable=False),
    sa.Column('meeting_title', sa.String(length=300), nullable=False),
    sa.Column('meeting_started_at', eventhub.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('imported_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("platform IN ('teams', 'zoom')", name=op.f('ck_attendance_import_platform_valid')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_attendance_import_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user_account.id'], name=op.f('fk_attendance_import_imported_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_import')),
    sa.UniqueConstraint('event_id', 'meeting_key', name='uq_attendance_import_meeting')
    )
    with op.batch_alter_table('attendance_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_import_event_id'), ['event_id'], unique=False)

    op.create_table('attendance_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('other_email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('guest', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('first_join_at', eventhub.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_leave_at', eventhub.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('matched_by', sa.String(length=8), nullable=True),
    sa.Column('anonymised_at', eventhub.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("matched_by IS NULL OR matched_by IN ('email', 'hand')", name=op.f('ck_attendance_participant_matched_by_valid')),
    sa.CheckConstraint('minutes >= 0 AND sessions >= 1', name=op.f('ck_attendance_participant_minutes_and_sessions_counted')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_attendance_participant_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['import_id'], ['attendance_import.id'], name=op.f('fk_attendance_participant_import_id_attendance_import'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_attendance_participant_registration_id_registration'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_participant'))
    )
    with op.batch_alter_table('attendance_participant', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_participant_event_registration', ['event_id', 'registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_participant_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attendance_participant_registration_id'), ['registration_id'], unique=False)



def downgrade():
    with op.batch_alter_table('attendance_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_participant_registration_id'))
        batch_op.drop_index(batch_op.f('ix_attendance_participant_import_id'))
        batch_op.drop_index('ix_attendance_participant_event_registration')

    op.drop_table('attendance_participant')
    with op.batch_alter_table('attendance_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_import_event_id'))

    op.drop_table('attendance_import')
