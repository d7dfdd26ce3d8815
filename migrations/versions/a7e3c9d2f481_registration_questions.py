"""questions: the organiser's own registration questions (their choices with stable ids in the row),
people's answers (a special-category one with its own consent), and the event's questions version

Revision ID: a7e3c9d2f481
Revises: 5735e8b1637d
Create Date: 2026-12-04 19:04:22.868446

"""
import sqlalchemy as sa
from alembic import op

import eventhub.types


# revision identifiers, used by Alembic.
revision = 'a7e3c9d2f481'
down_revision = '5735e8b1637d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('registration_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('required', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('special', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('label_sv', sa.String(length=300), nullable=False),
    sa.Column('label_en', sa.String(length=300), nullable=False),
    sa.Column('help_sv', sa.String(length=500), nullable=False),
    sa.Column('help_en', sa.String(length=500), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('created_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("audience IN ('everyone', 'on_site', 'digital')", name=op.f('ck_registration_question_audience_valid')),
    sa.CheckConstraint("kind IN ('short_text', 'long_text', 'one_choice', 'choices', 'yes_no', 'number', 'date')", name=op.f('ck_registration_question_kind_valid')),
    sa.CheckConstraint('NOT (special AND required)', name=op.f('ck_registration_question_special_not_required')),
    sa.CheckConstraint('length(help_sv) <= 500 AND length(help_en) <= 500', name=op.f('ck_registration_question_help_length')),
    sa.CheckConstraint('length(label_sv) <= 300 AND length(label_en) <= 300', name=op.f('ck_registration_question_label_length')),
    sa.CheckConstraint('length(label_sv) > 0 OR length(label_en) > 0', name=op.f('ck_registration_question_has_label')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_registration_question_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_question'))
    )
    with op.batch_alter_table('registration_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_question_event_id'), ['event_id'], unique=False)

    op.create_table('registration_answer',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('consented_at', eventhub.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(value) BETWEEN 1 AND 4000', name=op.f('ck_registration_answer_value_length')),
    sa.ForeignKeyConstraint(['question_id'], ['registration_question.id'], name=op.f('fk_registration_answer_question_id_registration_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_registration_answer_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', 'question_id', name=op.f('pk_registration_answer'))
    )
    with op.batch_alter_table('registration_answer', schema=None) as batch_op:
        batch_op.create_index('ix_registration_answer_question', ['question_id'], unique=False)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('questions_version', sa.Integer(), server_default='1', nullable=False))



def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('questions_version')

    with op.batch_alter_table('registration_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_answer_question')

    op.drop_table('registration_answer')
    with op.batch_alter_table('registration_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_question_event_id'))

    op.drop_table('registration_question')
