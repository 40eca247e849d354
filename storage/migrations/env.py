"""Alembic environment: runs on the connection handed over by storage.db.upgrade."""

from alembic import context

from storage.models import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")

if connection is None:  # `alembic` command line: build an engine from DATABASE_URL
    from storage.db import get_engine

    connection = get_engine(migrate=False).connect()

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
