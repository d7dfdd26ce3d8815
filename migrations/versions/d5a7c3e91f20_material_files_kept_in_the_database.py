"""materials: uploaded files kept in the database (material_chunk), so every app server has them

Files stored on disk before (MATERIAL_FOLDER or instance/materials, <event id>/<stored name>) are
copied into the table; the files themselves are left where they are, for the operator to remove
once the app serves them. A file that is missing is reported and its material then answers 404.
Downgrading writes the stored files back to that folder.

Revision ID: d5a7c3e91f20
Revises: c41f8e2b9d07
Create Date: 2026-12-03 11:40:00

"""
import logging
import re
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = 'd5a7c3e91f20'
down_revision = 'c41f8e2b9d07'
branch_labels = None
depends_on = None

CHUNK_BYTES = 1024 * 1024  # eventhub.materials.models.CHUNK_BYTES at the time of writing
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z]{3,4}$")
log = logging.getLogger("alembic.runtime.migration")

material = sa.table("event_material", sa.column("id", sa.Integer), sa.column("event_id", sa.Integer),
                    sa.column("stored_name", sa.String))
chunk = sa.table("material_chunk", sa.column("material_id", sa.Integer), sa.column("number", sa.Integer),
                 sa.column("data", sa.LargeBinary))


def _folder() -> Path:
    return Path(current_app.config.get("MATERIAL_FOLDER") or Path(current_app.instance_path) / "materials")


def _stored(connection):
    rows = connection.execute(sa.select(material.c.id, material.c.event_id, material.c.stored_name)
                              .where(material.c.stored_name.is_not(None)))
    return [row for row in rows if STORED_NAME.fullmatch(row.stored_name)]


def upgrade():
    op.create_table(
        'material_chunk',
        sa.Column('material_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.CheckConstraint('number >= 0', name=op.f('ck_material_chunk_number_non_negative')),
        sa.ForeignKeyConstraint(['material_id'], ['event_material.id'],
                                name=op.f('fk_material_chunk_material_id_event_material'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('material_id', 'number', name=op.f('pk_material_chunk')),
    )
    connection = op.get_bind()
    folder = _folder()
    for row in _stored(connection):
        path = folder / str(int(row.event_id)) / row.stored_name
        if not path.is_file():
            log.warning("material %s: %s is missing, so it cannot be downloaded", row.id, path)
            continue
        with path.open("rb") as file:
            number = 0
            while data := file.read(CHUNK_BYTES):
                connection.execute(chunk.insert().values(material_id=row.id, number=number, data=data))
                number += 1


def downgrade():
    connection = op.get_bind()
    folder = _folder()
    for row in _stored(connection):
        path = folder / str(int(row.event_id)) / row.stored_name
        path.parent.mkdir(parents=True, exist_ok=True)
        pieces = connection.execute(sa.select(chunk.c.number).where(chunk.c.material_id == row.id)
                                    .order_by(chunk.c.number)).scalars().all()
        with path.open("wb") as file:
            for number in pieces:
                file.write(connection.scalar(sa.select(chunk.c.data).where(
                    chunk.c.material_id == row.id, chunk.c.number == number)))
    op.drop_table('material_chunk')
