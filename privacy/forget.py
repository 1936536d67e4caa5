""" "Forget me": delete every stored event of one conversation.

Someone types "forget me" (or picks "Delete my data" in the widget) and confirms;
the assistant's reply `utter_forget_me_confirm` carries `{"forgotten": true}` in
its metadata (domain.yml). When the tracker store is asked to save that turn, it
deletes every stored event of the conversation instead, and drops its in-memory
copy (privacy/tracker_store.py). The store saves at the end of the turn, inside
the conversation's lock, so no other replica is writing to it meanwhile; another
replica's in-memory copy is re-read because its event count no longer matches.
Feedback, being events of the conversation, goes with it.

One DELETE by sender_id: the same SQL on SQLite and PostgreSQL. An operator can
do the same for a conversation id, e.g. for a request by e-mail:

    python -m privacy.forget --sender <conversation id> [--endpoints endpoints.yml]
"""

import argparse
import logging
import sys
from pathlib import Path
from typing import Text

from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.core.utils import read_endpoints_from_path
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

# The response metadata that confirms the deletion (utter_forget_me_confirm).
FORGOTTEN = "forgotten"


def requested(tracker: DialogueStateTracker) -> bool:
    """Whether the latest turn's replies include the one confirming the deletion."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and (event.metadata.get("metadata") or {}).get(FORGOTTEN) is True:
            return True
    return False


def delete_conversation(store: SQLTrackerStore, sender_id: Text) -> int:
    """Delete every stored event of the conversation; return how many there were."""
    events = store.SQLEvent.__table__
    with store.session_scope() as session:
        deleted = session.execute(events.delete().where(events.c.sender_id == sender_id)).rowcount
        session.commit()
    logger.info(f"Forgot a conversation: {deleted} stored events deleted.")  # no id, no text
    return deleted


def main() -> None:
    parser = argparse.ArgumentParser(description="Delete every stored event of one conversation.")
    parser.add_argument("--sender", required=True, help="the conversation id (sender_id)")
    parser.add_argument("--endpoints", type=Path, default=Path("endpoints.yml"))
    args = parser.parse_args()
    endpoints = read_endpoints_from_path(args.endpoints)
    store = TrackerStore.create(endpoints.tracker_store, Domain.empty())
    if not isinstance(store, SQLTrackerStore):
        sys.exit(f"{args.endpoints}: forget works on a SQL tracker store, not {type(store).__name__}")
    print(f"Deleted {delete_conversation(store, args.sender)} stored events of that conversation.")


if __name__ == "__main__":
    main()
