"""Which import batch already holds a file's exact bytes: the no-op re-import. Kept light (no
pandas, no loaders, no ORM models) so that ``cli.py import`` of a file already imported answers
before loading them."""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine, text


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def earlier_import(engine: Engine, content: bytes) -> tuple[int, str] | None:
    """The current batch (id, kind) imported from exactly these bytes, if any: lets an
    administrator's re-import of the same file stop before the file is even read."""
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id, kind FROM import_batch WHERE sha256 = :h AND undone_at IS NULL"),
                           {"h": sha256_of(content)}).first()
    return None if row is None else (row.id, row.kind)


def duplicate_message(batch_id: int) -> str:
    return f"内容与第{batch_id}批导入完全相同，未做任何改动。"


def duplicate_audit_detail(file_name: str, batch_id: int) -> str:
    return f"{file_name}：与第{batch_id}批内容相同，未改动"
