"""Low-level write helpers shared by imports, settings and accounts: the write lock, id
allocation and the fast bulk-insert path (executemany on SQLite, COPY on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine, literal, text


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


@contextmanager
def bulk_transaction(engine: Engine) -> Iterator[Connection]:
    """``engine.begin()`` for bulk writes. On SQLite without its per-row foreign-key lookups (8 %
    of a ledger import): every id written is allocated in the same transaction under the write
    lock, and PostgreSQL, which keeps its checks, runs the same code in the tests. On PostgreSQL
    without JIT compilation, which the planner starts for statements over a year of rows and
    which took 0.25 s of a 0.36 s unknown-name check; reads keep it (it speeds them up)."""
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection if engine.dialect.name == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction: before BEGIN
        try:
            with conn.begin():
                if engine.dialect.name == "postgresql":
                    conn.exec_driver_sql("SET LOCAL jit = off")  # until the transaction ends
                yield conn
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


@contextmanager
def one_pass_joins(conn: Connection) -> Iterator[None]:
    """PostgreSQL plans the statements inside without nested loops: each side is read once
    (hash or merge join). ``key IN (SELECT key … WHERE batch_id = :b)`` runs right after the
    batch was written, with statistics from before it (autovacuum comes later): the planner
    takes the subquery for one row and nests the loops, and with 100,000 rows on each side that
    is 10¹⁰ key comparisons, minutes per file. SET LOCAL, put back afterwards; an error ends the
    transaction, and the setting with it."""
    if conn.dialect.name != "postgresql":
        yield
        return
    was = conn.exec_driver_sql("SHOW enable_nestloop").scalar()
    conn.exec_driver_sql("SET LOCAL enable_nestloop = off")
    yield
    conn.exec_driver_sql(f"SET LOCAL enable_nestloop = {'off' if was == 'off' else 'on'}")


def bump_version(conn: Connection) -> int:
    """Take the database-wide write lock (a row lock on PostgreSQL, the write lock on SQLite) and
    bump the data version that caches are keyed by."""
    conn.execute(text("UPDATE data_version SET version = version + 1 WHERE id = 1"))
    return conn.execute(text("SELECT version FROM data_version WHERE id = 1")).scalar_one()


def next_ids(conn: Connection, table: str, n: int) -> list[int]:
    """Allocate ``n`` ids for ``table``; safe because writers hold the lock from bump_version."""
    start = conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar_one() + 1
    return list(range(start, start + n))


def bulk_insert(conn: Connection, table: str, columns: list[str], rows: list[tuple],
                constants: dict[str, object] | None = None) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) in one round trip per driver batch.
    ``constants``: columns with the same value in every row; SQLite gets them as literals in the
    statement (fewer values to bind per row), COPY on PostgreSQL has them appended to each row."""
    if not rows:
        return
    constants = constants or {}
    cols = ", ".join(f'"{c}"' if c != "group" else '"party_group"' for c in [*columns, *constants])
    if conn.dialect.name == "postgresql":
        extra = tuple(constants.values())
        cursor = conn.connection.dbapi_connection.cursor()
        with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row + extra if extra else row)
        cursor.close()
        _fix_sequence(conn, table)
    else:
        literals = [str(literal(v).compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                    for v in constants.values()]
        marks = ", ".join(["?"] * len(columns) + literals)
        conn.exec_driver_sql(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


def _fix_sequence(conn: Connection, table: str) -> None:
    # Ids were allocated by hand: move the serial on so ORM inserts do not collide with them.
    conn.execute(text(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
        f" (SELECT coalesce(max(id), 1) FROM {table}))"
    ))
