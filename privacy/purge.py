"""Delete what the assistant stored more than N days ago: `make purge DAYS=30`.

Every stored event (user message, reply, session start...) older than the cut-off
goes, so a conversation idle for N days disappears entirely and a long-running
one loses its old turns. Works on the SQL tracker store named in the endpoints
file (the SQLite file of `make run`, or PostgreSQL in the scale-out profile).
"""

import argparse
import sys
import time
from pathlib import Path
from typing import Dict

from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.core.utils import read_endpoints_from_path
from rasa.shared.core.domain import Domain

DAY_SECONDS = 24 * 60 * 60


def purge(store: SQLTrackerStore, days: int, now: float) -> Dict[str, int]:
    """Delete events older than `days`; return how many events and conversations went."""
    cutoff = now - days * DAY_SECONDS
    event = store.SQLEvent
    with store.session_scope() as session:
        old = session.query(event).filter(event.timestamp < cutoff)
        touched = {sender for (sender,) in old.with_entities(event.sender_id).distinct()}
        deleted = old.delete(synchronize_session=False)
        kept = (
            {
                sender
                for (sender,) in session.query(event.sender_id)
                .filter(event.sender_id.in_(touched))
                .distinct()
            }
            if touched
            else set()
        )
        session.commit()
    return {
        "events": deleted,
        "conversations_removed": len(touched - kept),
        "conversations_shortened": len(kept),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, required=True, help="keep the last DAYS days (at least 1)")
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"))
    args = parser.parse_args()
    if args.days < 1:
        parser.error("--days must be at least 1")
    endpoints = read_endpoints_from_path(args.endpoints)
    store = TrackerStore.create(endpoints.tracker_store, Domain.empty())
    if not isinstance(store, SQLTrackerStore):
        sys.exit(f"{args.endpoints}: purge works on a SQL tracker store, not {type(store).__name__}")
    counts = purge(store, args.days, time.time())
    print(
        f"Deleted {counts['events']} events older than {args.days} days: "
        f"{counts['conversations_removed']} conversations removed, "
        f"{counts['conversations_shortened']} shortened."
    )


if __name__ == "__main__":
    main()
