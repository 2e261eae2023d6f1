"""Alembic environment for caveat's schema.

The service runs migrations in code (:func:`caveat.storage.store.upgrade`) and hands over its
own connection in ``config.attributes["connection"]``; no ``alembic.ini`` exists. To write
a new revision, compare the models with a database at the current head::

    .venv/bin/python -c "from alembic import command; from caveat.storage.store import \
alembic_config; command.revision(alembic_config(url='sqlite:////tmp/head.db'), \
message='what changes', autogenerate=True, rev_id='0002')"

and then read and edit the generated file in ``versions/``.
"""

from __future__ import annotations

from alembic import context

from caveat.storage.store import Base, make_engine

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database: build the config with alembic_config(url=...)")
    return url


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
        **kwargs,  # type: ignore[arg-type]
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _configure(connection=conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
