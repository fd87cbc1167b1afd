"""Delete stored conversations older than the retention period (`make retention`).

    python -m ops.retention [--days N] [--dry-run] [--endpoints endpoints.yml]

Works on Rasa's SQL tracker store as the endpoints file configures it: endpoints.yml
(the SQLite file var/conversations.db) by default, endpoints.cluster.yml (PostgreSQL)
when DATABASE_URL is set. Every event (message, reply, slot) in the `events` table
whose `timestamp` is more than N days old is deleted, so nothing older than N days
is kept. A conversation whose events are all older is
gone entirely; one that is still going loses only its old turns. On SQLite the file
is then vacuumed, so that the deleted text does not linger in free pages.

N is --days, else the RETENTION_DAYS environment variable, else 30. Safe to run
while the assistant is running (e.g. daily from cron; see SECURITY.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

from ops.environment import ROOT, endpoints_file
from ops.store import database_url

DEFAULT_DAYS = 30
SECONDS_PER_DAY = 86_400


def retention_days(value: int | None) -> int:
    days = value if value is not None else int(os.environ.get("RETENTION_DAYS") or DEFAULT_DAYS)
    if days < 1:
        raise SystemExit(f"error: the retention period must be at least 1 day, not {days}")
    return days


def purge(url: object, days: int, dry_run: bool) -> dict[str, int]:
    """Delete (or with dry_run count) events older than `days`; what was found."""
    import sqlalchemy as sa

    cutoff = time.time() - days * SECONDS_PER_DAY
    events = sa.table("events", sa.column("sender_id"), sa.column("timestamp"))
    is_old = events.c.timestamp < cutoff
    per_conversation = sa.select(
        events.c.sender_id,
        sa.func.count().label("total"),
        sa.func.sum(sa.case((is_old, 1), else_=0)).label("old"),
    ).group_by(events.c.sender_id)
    engine = sa.create_engine(url)
    try:
        if not sa.inspect(engine).has_table("events"):
            return {"conversations": 0, "shortened": 0, "events": 0}
        with engine.begin() as connection:
            rows = connection.execute(per_conversation).all()
            found = {
                "conversations": sum(1 for row in rows if row.old and row.old == row.total),
                "shortened": sum(1 for row in rows if row.old and row.old < row.total),
                "events": sum(int(row.old or 0) for row in rows),
            }
            if not dry_run and found["events"]:
                connection.execute(sa.delete(events).where(is_old))
        if not dry_run and found["events"] and engine.dialect.name == "sqlite":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM"))
        return found
    finally:
        engine.dispose()


def shown_url(url: object) -> str:
    """The database's address without its password."""
    from sqlalchemy.engine import make_url

    return make_url(str(url)).render_as_string(hide_password=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--days",
        type=int,
        help=f"keep this many days (default: $RETENTION_DAYS, else {DEFAULT_DAYS})",
    )
    parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    parser.add_argument(
        "--endpoints", type=Path, default=endpoints_file(), help="Rasa endpoints file"
    )
    args = parser.parse_args(argv)
    days = retention_days(args.days)
    endpoints = args.endpoints.resolve()
    if not endpoints.is_file():
        raise SystemExit(f"error: {endpoints} not found")
    os.chdir(ROOT)  # a relative SQLite path is relative to the project, as for `rasa run`
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        url = database_url(endpoints)
        found = purge(url, days, args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    print(
        f"Retention {days} days: {verb} {found['events']} events older than "
        f"{days} days: {found['conversations']} conversations entirely, "
        f"{found['shortened']} shortened, in {shown_url(url)}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
