"""evaluation: the questions, answers once per person (anonymous ones with no link to the person), the follow-up email and its deliveries once per person

Revision ID: 49452b93c1a0
Revises: f2c8a4d1b9e3
Create Date: 2026-12-04 03:52:38

"""
import sqlalchemy as sa
from alembic import op

import eventhub.types


# revision identifiers, used by Alembic.
revision = '49452b93c1a0'
down_revision = 'f2c8a4d1b9e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('opens_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_evaluation_closes_after_opening')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_evaluation_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_evaluation'))
    )
    op.create_table('follow_up',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('send_at', eventhub.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', eventhub.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_follow_up_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['user_account.id'], name=op.f('fk_follow_up_updated_by_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_follow_up'))
    )
    op.create_table('evaluation_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('standard', sa.String(length=16), nullable=True),
    sa.Column('text_sv', sa.String(length=300), nullable=False),
    sa.Column('text_en', sa.String(length=300), nullable=False),
    sa.CheckConstraint("audience IN ('everyone', 'on_site', 'digital')", name=op.f('ck_evaluation_question_audience_valid')),
    sa.CheckConstraint("kind IN ('rating', 'text')", name=op.f('ck_evaluation_question_kind_valid')),
    sa.CheckConstraint("standard IS NULL OR standard IN ('overall', 'content', 'organisation', 'on_site', 'digital', 'change')", name=op.f('ck_evaluation_question_standard_valid')),
    sa.CheckConstraint('length(text_sv) <= 300 AND length(text_en) <= 300', name=op.f('ck_evaluation_question_text_length')),
    sa.CheckConstraint('length(text_sv) > 0 OR length(text_en) > 0', name=op.f('ck_evaluation_question_has_text')),
    sa.ForeignKeyConstraint(['event_id'], ['evaluation.event_id'], name=op.f('fk_evaluation_question_event_id_evaluation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_question')),
    sa.UniqueConstraint('event_id', 'standard', name='uq_evaluation_question_standard')
    )
    with op.batch_alter_table('evaluation_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_question_event_id'), ['event_id'], unique=False)

    op.create_table('follow_up_text',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=8), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.CheckConstraint("language IN ('sv', 'en')", name=op.f('ck_follow_up_text_language_valid')),
    sa.CheckConstraint("variant IN ('came', 'missed')", name=op.f('ck_follow_up_text_variant_valid')),
    sa.CheckConstraint('length(body) BETWEEN 1 AND 10000', name=op.f('ck_follow_up_text_body_length')),
    sa.CheckConstraint('length(subject) BETWEEN 1 AND 200', name=op.f('ck_follow_up_text_subject_length')),
    sa.ForeignKeyConstraint(['event_id'], ['follow_up.event_id'], name=op.f('fk_follow_up_text_event_id_follow_up'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'variant', 'language', name=op.f('pk_follow_up_text'))
    )
    op.create_table('evaluation_answered',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['evaluation.event_id'], name=op.f('fk_evaluation_answered_event_id_evaluation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_evaluation_answered_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_evaluation_answered'))
    )
    with op.batch_alter_table('evaluation_answered', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_answered_event_id'), ['event_id'], unique=False)

    op.create_table('evaluation_response',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('sector', sa.String(length=16), nullable=False),
    sa.Column('submitted_at', eventhub.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("mode IN ('on_site', 'digital')", name=op.f('ck_evaluation_response_mode_valid')),
    sa.CheckConstraint("sector IN ('business', 'academia', 'public', 'non_profit', 'other')", name=op.f('ck_evaluation_response_sector_valid')),
    sa.CheckConstraint('registration_id IS NOT NULL OR submitted_at IS NULL', name=op.f('ck_evaluation_response_anonymous_has_no_time')),
    sa.ForeignKeyConstraint(['event_id'], ['evaluation.event_id'], name=op.f('fk_evaluation_response_event_id_evaluation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_evaluation_response_registration_id_registration'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_response')),
    sa.UniqueConstraint('registration_id', name=op.f('uq_evaluation_response_registration_id'))
    )
    with op.batch_alter_table('evaluation_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_response_event_id'), ['event_id'], unique=False)

    op.create_table('follow_up_delivery',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=8), nullable=False),
    sa.Column('queued_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("variant IN ('came', 'missed')", name=op.f('ck_follow_up_delivery_variant_valid')),
    sa.ForeignKeyConstraint(['event_id'], ['follow_up.event_id'], name=op.f('fk_follow_up_delivery_event_id_follow_up'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_follow_up_delivery_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', name=op.f('pk_follow_up_delivery'))
    )
    with op.batch_alter_table('follow_up_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_delivery_event_id'), ['event_id'], unique=False)

    op.create_table('evaluation_answer',
    sa.Column('response_id', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.CheckConstraint('(rating IS NULL) <> (text IS NULL)', name=op.f('ck_evaluation_answer_rating_or_text')),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_evaluation_answer_rating_range')),
    sa.CheckConstraint('text IS NULL OR length(text) <= 2000', name=op.f('ck_evaluation_answer_text_length')),
    sa.ForeignKeyConstraint(['question_id'], ['evaluation_question.id'], name=op.f('fk_evaluation_answer_question_id_evaluation_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['evaluation_response.id'], name=op.f('fk_evaluation_answer_response_id_evaluation_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'question_id', name=op.f('pk_evaluation_answer'))
    )
    with op.batch_alter_table('evaluation_answer', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_answer_question', ['question_id'], unique=False)



def downgrade():
    with op.batch_alter_table('evaluation_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_answer_question')

    op.drop_table('evaluation_answer')
    with op.batch_alter_table('follow_up_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_delivery_event_id'))

    op.drop_table('follow_up_delivery')
    with op.batch_alter_table('evaluation_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_response_event_id'))

    op.drop_table('evaluation_response')
    with op.batch_alter_table('evaluation_answered', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_answered_event_id'))

    op.drop_table('evaluation_answered')
    op.drop_table('follow_up_text')
    with op.batch_alter_table('evaluation_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_question_event_id'))

    op.drop_table('evaluation_question')
    op.drop_table('follow_up')
    op.drop_table('evaluation')
