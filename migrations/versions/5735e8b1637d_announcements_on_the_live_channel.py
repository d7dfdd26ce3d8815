"""live: the organisers' announcements on each person's live channel

Revision ID: 5735e8b1637d
Revises: a7e3c9d1f254
Create Date: 2026-12-04 19:12:46.415149

"""
import sqlalchemy as sa
from alembic import op

import eventhub.types


# revision identifiers, used by Alembic.
revision = '5735e8b1637d'
down_revision = 'a7e3c9d1f254'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('announcement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('group_title', sa.String(length=300), server_default=sa.text("''"), nullable=False),
    sa.Column('text_sv', sa.String(length=280), nullable=False),
    sa.Column('text_en', sa.String(length=280), server_default=sa.text("''"), nullable=False),
    sa.Column('by_email', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.Column('emailed_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', eventhub.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(audience = 'group') = (group_id IS NOT NULL OR group_title <> '')", name=op.f('ck_announcement_group_named')),
    sa.CheckConstraint("audience IN ('all', 'on_site', 'digital', 'group')", name=op.f('ck_announcement_audience_valid')),
    sa.CheckConstraint('length(text_sv) BETWEEN 1 AND 280 AND length(text_en) <= 280', name=op.f('ck_announcement_text_length')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_announcement_created_by_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_announcement_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['discussion_group.id'], name=op.f('fk_announcement_group_id_discussion_group'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement'))
    )
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcement_group_id'), ['group_id'], unique=False)



def downgrade():
    with op.batch_alter_table('announcement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_group_id'))
        batch_op.drop_index(batch_op.f('ix_announcement_event_id'))

    op.drop_table('announcement')
