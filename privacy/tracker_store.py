"""Rasa's SQL tracker store, made safe for patients' messages.

- E-mail addresses and phone numbers are replaced by a label (privacy/redaction.yml)
  in what is stored of each user message (its text and the parse data's copy), so
  the database, an export or a backup holds no contact details. The assistant
  itself reads the message as typed.
- The database must answer within `connect_timeout` seconds at start; otherwise
  the server stops with a clear error and exit code 1 instead of retrying forever
  (Rasa's own SQL store loops every 5 seconds).
- SQLite (the single-machine default) runs in WAL mode over one kept-open
  connection: one small append per turn, and readers never wait for the writer.
- Each turn costs less than in Rasa's store: `_retrieve` and `_additional_events`
  skip work Rasa repeats for every event and every save (make bench measures it).

Works for every SQL dialect Rasa supports; `make run` uses a SQLite file and the
scale-out profile PostgreSQL (deploy/).
"""
import itertools
import json
import os
import re
import sys
import time
import weakref
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Text, Tuple

import sqlalchemy as sa
import yaml
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs, validate_port
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.cli import print_error
from rasa.shared.utils.common import all_subclasses

RULES = Path(__file__).with_name("redaction.yml")


def load_rules(path: Path = RULES) -> List[Tuple[re.Pattern, Text]]:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(re.compile(rule["regex"]), rule["label"]) for rule in config["patterns"]]


def redact(text: Text, rules: List[Tuple[re.Pattern, Text]]) -> Text:
    for pattern, label in rules:
        text = pattern.sub(label, text)
    return text


def redact_user_event(event: Dict[Text, Any], rules: List[Tuple[re.Pattern, Text]]) -> None:
    """Redact a serialised event in place; only user messages carry typed text."""
    if event.get("event") != "user":
        return
    if isinstance(event.get("text"), str):
        event["text"] = redact(event["text"], rules)
    parse_data = event.get("parse_data") or {}
    if isinstance(parse_data.get("text"), str):
        parse_data["text"] = redact(parse_data["text"], rules)


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that redacts user messages and fails fast when unreachable."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        dialect: Text = "sqlite",
        host: Optional[Text] = None,
        port: Optional[int] = None,
        db: Text = "rasa.db",
        username: Optional[Text] = None,
        password: Optional[Text] = None,
        login_db: Optional[Text] = None,
        query: Optional[Dict] = None,
        connect_timeout: float = 10,
        **kwargs: Any,
    ) -> None:
        url = sa.engine.make_url(self.get_db_url(
            dialect, host, validate_port(port), db, username, password, login_db, query))
        try:
            wait_for_database(url, float(connect_timeout))
        except DatabaseUnreachable as error:
            # Rasa would fall back to forgetting conversations in memory, and Sanic
            # would bury the message under a traceback: say it plainly and stop.
            print_error(str(error))
            sys.stdout.flush()
            os._exit(1)
        super().__init__(domain, dialect, host, port, db, username, password,
                         login_db=login_db, query=query, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy opens and closes a SQLite file per session by default, and
            # closing a WAL database checkpoints it (several ms per turn): keep one
            # connection per thread instead (Rasa uses the event loop's thread).
            self.engine.dispose()
            self.engine = sa.create_engine(self.engine.url, poolclass=sa.pool.SingletonThreadPool)
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._rules = load_rules()
        # sender -> (the tracker `retrieve` built, how many stored events it holds)
        self._built_from: Dict[Text, Tuple[weakref.ref, int]] = {}

    async def _retrieve(self, sender_id: Text,
                        fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """Rasa's, three costs less: only the JSON column is read, events are
        rebuilt through a type table made once (Rasa scans every Event subclass
        for every event, ~10 us each), and the tracker's stored-event count is
        remembered for `save`."""
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
            rows = query.with_entities(self.SQLEvent.data).all()  # the JSON only, no ORM objects
            events = [event for event in (deserialise(json.loads(data)) for (data,) in rows) if event]
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_events(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions:
            self._built_from[sender_id] = (weakref.ref(tracker), len(events))
        return tracker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """The events `save` is about to store, user messages redacted.

        For the tracker `retrieve` built, they are the ones after the stored events
        it was built from (the conversation's lock keeps other replicas out in
        between); otherwise Rasa counts the stored events in the database."""
        built, stored = self._built_from.pop(tracker.sender_id, (None, 0))
        if built is not None and built() is tracker:
            new_events = itertools.islice(tracker.events, stored, None)
        else:
            new_events = super()._additional_events(session, tracker)
        for event in new_events:
            data = event.as_dict()
            if data.get("event") == "user":
                redact_user_event(data, self._rules)
                event = deserialise(data)
            yield event


def _event_classes() -> Dict[Text, type]:
    """Event type name -> class, the first match in the order Rasa searches."""
    classes: Dict[Text, type] = {}
    for cls in all_subclasses(Event):
        classes.setdefault(cls.type_name, cls)
    return classes


def deserialise(data: Dict[Text, Any]) -> Optional[Event]:
    """Event.from_parameters with the class looked up in a table."""
    global _EVENT_CLASSES
    if "event" not in data:
        return None
    if _EVENT_CLASSES is None:
        _EVENT_CLASSES = _event_classes()  # after every module defining events is loaded
    cls = _EVENT_CLASSES.get(data["event"])
    return cls._from_parameters(data) if cls else Event.from_parameters(data)


_EVENT_CLASSES: Optional[Dict[Text, type]] = None


class DatabaseUnreachable(RuntimeError):
    pass


def wait_for_database(url: Any, timeout: float) -> None:
    """Connect within `timeout` seconds (a database may still be starting)."""
    deadline = time.monotonic() + timeout
    engine = sa.create_engine(url, **create_engine_kwargs(url))
    try:
        while True:
            try:
                engine.connect().close()
                return
            except sa.exc.OperationalError as error:
                if time.monotonic() >= deadline:
                    reason = str(error.orig).strip().splitlines()[0]
                    raise DatabaseUnreachable(
                        f"Cannot reach the conversation database "
                        f"{url.render_as_string(hide_password=True)} within {timeout:g} s: "
                        f"{reason}. Check the tracker_store settings in the endpoints file "
                        f"and that the database is running.")
                time.sleep(1)
    finally:
        engine.dispose()


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL loses no committed turn when the process crashes, only (at
    # worst) the last turns on a power cut; it saves an fsync per turn.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
