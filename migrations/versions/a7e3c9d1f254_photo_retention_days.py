"""privacy: how long an event's documentation photos are kept (photo_retention_days; NULL: until deleted)

Revision ID: a7e3c9d1f254
Revises: f2d8a6c1b357
Create Date: 2026-12-04 19:45:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7e3c9d1f254'
down_revision = 'f2d8a6c1b357'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event_privacy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('photo_retention_days', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_event_privacy_photo_days_sane'), 'photo_retention_days IS NULL OR photo_retention_days BETWEEN 1 AND 3650')


def downgrade():
    with op.batch_alter_table('event_privacy', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_event_privacy_photo_days_sane'), type_='check')
        batch_op.drop_column('photo_retention_days')
