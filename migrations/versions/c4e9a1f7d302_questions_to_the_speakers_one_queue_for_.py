"""live: questions to the speakers, one queue for the room and online (moderated, upvoted, one pinned per
event), and registration questions marked "a question to the speakers", and the event setting that shows questions without
moderation

Revision ID: c4e9a1f7d302
Revises: b8d4f1a6c392
Create Date: 2026-12-06 21:43:49

"""
from alembic import op
import sqlalchemy as sa
import eventhub.types


# revision identifiers, used by Alembic.
revision = 'c4e9a1f7d302'
down_revision = 'b8d4f1a6c392'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('text', sa.String(length=280), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('pinned', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('votes', sa.Integer(), server_default='0', nullable=False),
    sa.Column('source_question_id', sa.Integer(), nullable=True),
    sa.Column('created_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', eventhub.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('in_advance', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint("NOT pinned OR (state = 'approved' AND merged_into_id IS NULL)", name=op.f('ck_live_question_pinned_is_shown')),
    sa.CheckConstraint("mode IN ('on_site', 'digital')", name=op.f('ck_live_question_mode_valid')),
    sa.CheckConstraint("state IN ('pending', 'approved', 'rejected', 'answered')", name=op.f('ck_live_question_state_valid')),
    sa.CheckConstraint('length(text) BETWEEN 1 AND 280', name=op.f('ck_live_question_text_length')),
    sa.CheckConstraint('merged_into_id IS NULL OR merged_into_id <> id', name=op.f('ck_live_question_not_merged_into_itself')),
    sa.CheckConstraint('votes >= 0', name=op.f('ck_live_question_votes_not_negative')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_live_question_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['programme_item.id'], name=op.f('fk_live_question_item_id_programme_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['live_question.id'], name=op.f('fk_live_question_merged_into_id_live_question'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_live_question_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_question_id'], ['registration_question.id'], name=op.f('fk_live_question_source_question_id_registration_question'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_question')),
    sa.UniqueConstraint('registration_id', 'source_question_id', name='sent_in_advance_once')
    )
    with op.batch_alter_table('live_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_question_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_question_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_question_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_question_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_question_source_question_id'), ['source_question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_question_state'), ['state'], unique=False)
        batch_op.create_index('uq_live_question_one_pinned', ['event_id'], unique=True, sqlite_where=sa.text('pinned'), postgresql_where=sa.text('pinned'))

    op.create_table('live_question_vote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('created_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['live_question.id'], name=op.f('fk_live_question_vote_question_id_live_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_live_question_vote_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_question_vote')),
    sa.UniqueConstraint('question_id', 'registration_id', name='one_vote_per_person')
    )
    with op.batch_alter_table('live_question_vote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_question_vote_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_question_vote_registration_id'), ['registration_id'], unique=False)

    op.create_table('live_settings',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('auto_approve', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_live_settings_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_live_settings'))
    )
    with op.batch_alter_table('registration_question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('to_speakers', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('speakers_item_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_registration_question_speakers_item_id_programme_item'), 'programme_item', ['speakers_item_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(batch_op.f('ck_registration_question_to_speakers_is_text'), "NOT to_speakers OR (kind IN ('short_text', 'long_text') AND NOT special)")
        batch_op.create_check_constraint(batch_op.f('ck_registration_question_speakers_item_only_to_speakers'), 'to_speakers OR speakers_item_id IS NULL')



def downgrade():
    with op.batch_alter_table('registration_question', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_registration_question_speakers_item_only_to_speakers'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_registration_question_to_speakers_is_text'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_registration_question_speakers_item_id_programme_item'), type_='foreignkey')
        batch_op.drop_column('speakers_item_id')
        batch_op.drop_column('to_speakers')

    with op.batch_alter_table('live_question_vote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_question_vote_registration_id'))
        batch_op.drop_index(batch_op.f('ix_live_question_vote_question_id'))

    op.drop_table('live_settings')
    op.drop_table('live_question_vote')
    with op.batch_alter_table('live_question', schema=None) as batch_op:
        batch_op.drop_index('uq_live_question_one_pinned', sqlite_where=sa.text('pinned'), postgresql_where=sa.text('pinned'))
        batch_op.drop_index(batch_op.f('ix_live_question_state'))
        batch_op.drop_index(batch_op.f('ix_live_question_source_question_id'))
        batch_op.drop_index(batch_op.f('ix_live_question_registration_id'))
        batch_op.drop_index(batch_op.f('ix_live_question_merged_into_id'))
        batch_op.drop_index(batch_op.f('ix_live_question_item_id'))
        batch_op.drop_index(batch_op.f('ix_live_question_event_id'))

    op.drop_table('live_question')
