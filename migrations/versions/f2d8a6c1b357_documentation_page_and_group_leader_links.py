"""documentation: the event's documentation page (the organiser's summary, photos kept in pieces in the
database), and the group leader's link and the key points written through it

Revision ID: f2d8a6c1b357
Revises: 49452b93c1a0
Create Date: 2026-12-04 03:47:48

"""
import sqlalchemy as sa
from alembic import op

import eventhub.types


# revision identifiers, used by Alembic.
revision = 'f2d8a6c1b357'
down_revision = '49452b93c1a0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_documentation',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('updated_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(summary) <= 20000', name=op.f('ck_event_documentation_summary_length')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_documentation_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_event_documentation'))
    )
    op.create_table('event_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=32), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('small_width', sa.Integer(), nullable=False),
    sa.Column('small_height', sa.Integer(), nullable=False),
    sa.Column('small_size_bytes', sa.Integer(), nullable=False),
    sa.Column('alt_sv', sa.String(length=300), nullable=False),
    sa.Column('alt_en', sa.String(length=300), nullable=False),
    sa.Column('caption', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("format IN ('jpeg', 'png', 'webp')", name=op.f('ck_event_photo_format_valid')),
    sa.CheckConstraint('length(alt_sv) > 0 OR length(alt_en) > 0', name=op.f('ck_event_photo_has_alt_text')),
    sa.CheckConstraint('size_bytes > 0 AND small_size_bytes > 0', name=op.f('ck_event_photo_bytes_positive')),
    sa.CheckConstraint('width > 0 AND height > 0 AND small_width > 0 AND small_height > 0', name=op.f('ck_event_photo_sizes_positive')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_photo_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_photo')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_event_photo_stored_name'))
    )
    with op.batch_alter_table('event_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_photo_event_id'), ['event_id'], unique=False)

    op.create_table('photo_chunk',
    sa.Column('photo_id', sa.Integer(), nullable=False),
    sa.Column('size', sa.String(length=8), nullable=False),
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.CheckConstraint("size IN ('large', 'small')", name=op.f('ck_photo_chunk_size_valid')),
    sa.CheckConstraint('number >= 0', name=op.f('ck_photo_chunk_number_non_negative')),
    sa.ForeignKeyConstraint(['photo_id'], ['event_photo.id'], name=op.f('fk_photo_chunk_photo_id_event_photo'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('photo_id', 'size', 'number', name=op.f('pk_photo_chunk'))
    )
    op.create_table('group_key_points',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('written_by', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("written_by IN ('leader', 'organiser')", name=op.f('ck_group_key_points_written_by_valid')),
    sa.CheckConstraint('length(text) <= 10000', name=op.f('ck_group_key_points_text_length')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_group_key_points_version_positive')),
    sa.ForeignKeyConstraint(['group_id'], ['discussion_group.id'], name=op.f('fk_group_key_points_group_id_discussion_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', name=op.f('pk_group_key_points'))
    )
    op.create_table('group_leader_link',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('token_salt', sa.String(length=64), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['discussion_group.id'], name=op.f('fk_group_leader_link_group_id_discussion_group'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', name=op.f('pk_group_leader_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_group_leader_link_token_hash'))
    )


def downgrade():
    op.drop_table('group_leader_link')
    op.drop_table('group_key_points')
    op.drop_table('photo_chunk')
    with op.batch_alter_table('event_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_photo_event_id'))

    op.drop_table('event_photo')
    op.drop_table('event_documentation')
