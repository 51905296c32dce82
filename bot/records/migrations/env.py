"""Alembic environment for the records database.

Run through `bot.records.migrate.upgrade` (no alembic.ini), which passes an open connection already inside a
transaction in `config.attributes["connection"]`. For `alembic revision --autogenerate` during development,
pass the URL instead: `config.set_main_option("sqlalchemy.url", ...)` (see `migrate.alembic_config`).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from bot.records.schema import Base

config = context.config
target_metadata = Base.metadata


def _configure_and_run(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        transactional_ddl=True,  # SQLite can roll back DDL too, with the engine's own BEGIN
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _configure_and_run(connection)
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("The records migrations run online only (bot.records.migrate.upgrade).")
run_migrations_online()
