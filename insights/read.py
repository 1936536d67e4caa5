"""The stored events of a date range, read-only, from the tracker store that an
endpoints file names (SQLite or PostgreSQL: the same SQL)."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Text

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.core.utils import read_endpoints_from_path

# Only user messages and replies matter here; "events" is Rasa's table.
EVENTS_QUERY = sa.text(
    "SELECT sender_id, type_name, timestamp, data FROM events "
    "WHERE timestamp >= :start AND timestamp < :end AND type_name IN ('user', 'bot') "
    "ORDER BY sender_id, id"
)


@dataclass(frozen=True)
class Event:
    sender_id: Text
    type_name: Text  # "user" or "bot"
    timestamp: float
    data: Dict[Text, Any]


def database_url(endpoints: Path) -> sa.engine.URL:
    """The tracker store's database, as Rasa builds its URL from the endpoints file."""
    config = read_endpoints_from_path(endpoints).tracker_store
    if config is None:
        raise ValueError(f"{endpoints} names no tracker store")
    options = dict(config.kwargs)
    url = SQLTrackerStore.get_db_url(
        options.get("dialect", "sqlite"),
        config.url,
        options.get("port"),
        options.get("db", "rasa.db"),
        options.get("username"),
        options.get("password"),
        options.get("login_db"),
        options.get("query"),
    )
    return sa.engine.make_url(url)


def read_only_engine(url: sa.engine.URL) -> sa.engine.Engine:
    """An engine that cannot write: SQLite opened read-only, PostgreSQL sessions
    read-only by default."""
    if url.get_backend_name() == "sqlite":
        path = Path(url.database).resolve()
        if not path.exists():
            raise FileNotFoundError(f"no conversation database at {path}")
        return sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    if url.get_backend_name() == "postgresql":
        return sa.create_engine(url, connect_args={"options": "-c default_transaction_read_only=on"})
    return sa.create_engine(url)


def read_events(engine: sa.engine.Engine, start: float, end: float) -> Iterator[Event]:
    """User and bot events with start <= timestamp < end, by conversation, in order."""
    with engine.connect() as connection:
        for sender_id, type_name, timestamp, data in connection.execute(
            EVENTS_QUERY, {"start": start, "end": end}
        ):
            yield Event(sender_id, type_name, float(timestamp), json.loads(data))


def open_store(endpoints: Optional[Path] = None, url: Optional[sa.engine.URL] = None) -> sa.engine.Engine:
    return read_only_engine(url if url is not None else database_url(endpoints))
