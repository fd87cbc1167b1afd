"""The SQL tracker store that `endpoints.yml` names (SQLite or PostgreSQL).

Shared by `make retention` (which deletes old events) and `make report` (which only
reads: its connection is read-only, so a report can never change a conversation).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any


class StoreError(SystemExit):
    """The endpoints file names no SQL tracker store."""


SQL_STORE_TYPES = {"sql", "components.runtime.tracker_store.checkedsqltrackerstore"}


def is_sql_store(store_type: str) -> bool:
    return store_type.lower() in SQL_STORE_TYPES


def database_url(endpoints: Path) -> Any:
    """The SQLAlchemy URL of the SQL tracker store in `endpoints` (env vars filled in)."""
    import rasa.utils.endpoints
    from rasa.core.tracker_store import SQLTrackerStore

    from ops.environment import rasa_env, store_env

    # endpoints.cluster.yml reads DB_HOST, ... (from DATABASE_URL) and ACTION_ENDPOINT_URL;
    # Rasa expands every variable of the file, even those this command does not use.
    needed = {**store_env(), "ACTION_ENDPOINT_URL": rasa_env()["ACTION_ENDPOINT_URL"]}
    os.environ.update({k: v for k, v in needed.items() if k not in os.environ})
    config = rasa.utils.endpoints.read_endpoint_config(str(endpoints), "tracker_store")
    if config is None or not is_sql_store(str(config.type)):
        raise StoreError(
            f"error: {endpoints} has no SQL tracker_store; this command handles only "
            "Rasa's SQL tracker store (SQLite or PostgreSQL)"
        )
    options = config.kwargs
    return SQLTrackerStore.get_db_url(
        dialect=options.get("dialect", "sqlite"),
        host=config.url,
        port=options.get("port"),
        db=options.get("db", "rasa.db"),
        username=options.get("username"),
        password=options.get("password"),
        query=options.get("query"),
    )


def read_only_engine(url: Any) -> Any:
    """An engine that cannot write: SQLite opened with mode=ro, PostgreSQL read-only."""
    import sqlalchemy as sa

    url = sa.engine.make_url(url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "").resolve()

        def connect() -> sqlite3.Connection:
            return sqlite3.connect(f"file:{path}?mode=ro", uri=True)

        return sa.create_engine("sqlite://", creator=connect)
    return sa.create_engine(url, execution_options={"postgresql_readonly": True})
