"""Rasa's SQL tracker store, made safe for patients' messages.

- E-mail addresses and phone numbers are replaced by a label (privacy/redaction.yml)
  in every string stored of a user message (its text, every copy in the parse
  data such as the safety net's matched text, its metadata) and of any other
  event but the assistant's own replies, so the database, an export, a backup
  and the event broker (if one is configured) get no contact details. The
  assistant itself reads the message as typed.
- The database must answer within `connect_timeout` seconds at start; otherwise
  the server stops with a clear error and exit code 1 instead of retrying forever
  (Rasa's own SQL store loops every 5 seconds).
- SQLite (the single-machine default) runs in WAL mode over one kept-open
  connection: one small append per turn, and readers never wait for the writer.
- Each turn costs less than in Rasa's store (make bench measures it): the
  trackers of the last `recent_conversations` conversations stay in memory and
  are reused as long as the database holds exactly the events they were saved
  with (one query per turn reads the conversation's event count and highest
  event id, so another replica's write or a purge, even one that leaves the
  count as it was, makes the store read the database again); a turn's events
  are stored with one INSERT; and reading a conversation skips work Rasa
  repeats for every event.

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
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Text, Tuple, Type

import sqlalchemy as sa
import yaml
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs, validate_port
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.cli import print_error
from rasa.shared.utils.common import all_subclasses

from privacy import forget

RULES = Path(__file__).with_name("redaction.yml")
Rules = List[Tuple[re.Pattern, Text]]


def load_rules(path: Path = RULES) -> Rules:
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(re.compile(rule["regex"]), rule["label"]) for rule in config["patterns"]]


def redact(text: Text, rules: Rules) -> Text:
    """The text with every match replaced by its label (the same object if none)."""
    for pattern, label in rules:
        if pattern.search(text):
            text = pattern.sub(label, text)
    return text


# The assistant's own replies: curated text that names help lines (Poison Help's
# number looks like a phone number) and never repeats what the person typed.
NOT_REDACTED = frozenset({"bot"})


def redact_event(event: Dict[Text, Any], rules: Rules) -> Dict[Text, Any]:
    """The serialised event with every string in it redacted (keys too, at any
    depth): typed text reaches many fields (parse_data's text, the safety net's
    matched and set-aside text, entities, metadata, slot values). Returns the
    event itself when nothing changed."""
    if event.get("event") in NOT_REDACTED:
        return event
    return _redacted(event, rules)


def _redacted(value: Any, rules: Rules) -> Any:
    if isinstance(value, str):
        return redact(value, rules)
    if isinstance(value, dict):
        items = [(_redacted(k, rules), _redacted(v, rules)) for k, v in value.items()]
        if all(k is old_k and v is old_v for (k, v), (old_k, old_v) in zip(items, value.items())):
            return value
        return dict(items)
    if isinstance(value, list):
        values = [_redacted(item, rules) for item in value]
        return value if all(new is old for new, old in zip(values, value)) else values
    return value


class RedactingSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore that redacts user messages and fails fast when unreachable."""

    engine: sa.engine.Engine

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
        recent_conversations: int = 200,
        **kwargs: Any,
    ) -> None:
        url = sa.engine.make_url(
            self.get_db_url(dialect, host, validate_port(port), db, username, password, login_db, query)
        )
        try:
            wait_for_database(url, float(connect_timeout))
        except DatabaseUnreachable as error:
            # Rasa would fall back to forgetting conversations in memory, and Sanic
            # would bury the message under a traceback: say it plainly and stop.
            print_error(str(error))
            sys.stdout.flush()
            os._exit(1)
        super().__init__(
            domain, dialect, host, port, db, username, password, login_db=login_db, query=query, **kwargs
        )
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy opens and closes a SQLite file per session by default, and
            # closing a WAL database checkpoints it (several ms per turn): keep one
            # connection per thread instead (Rasa uses the event loop's thread).
            self.engine.dispose()
            self.engine = sa.create_engine(self.engine.url, poolclass=sa.pool.SingletonThreadPool)
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._rules = load_rules()
        events = self.SQLEvent.__table__
        # Count and highest id in one query: a purge of k events plus k new events
        # written by another replica keeps the count but not the highest id.
        self._version_query = sa.select(sa.func.count(), sa.func.max(events.c.id)).where(
            events.c.sender_id == sa.bindparam("sender_id")
        )
        self._recent: "OrderedDict[Text, _Stored]" = OrderedDict()
        self._recent_limit = int(recent_conversations)

    async def _retrieve(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        """The conversation's tracker, rebuilt from its stored events: those kept in
        memory since its last save if the database still holds exactly them, else
        those read from the database.

        Reading is Rasa's, two costs less: only the JSON column is read and events
        are rebuilt through a type table made once (Rasa scans every Event subclass
        for every event, ~10 us each)."""
        if fetch_events_from_all_sessions:  # the HTTP API's full history: not kept
            with self.session_scope() as session:
                return self._tracker(sender_id, self._stored_events(session, sender_id, True))
        with self.session_scope() as session:
            # Checked before reading: a write in between makes the version older
            # than the events read, so the next turn reads the database again
            # (never the other way round).
            version = self._version(session, sender_id)
            recent = self._recent.get(sender_id)
            if recent is None or recent.version != version:
                recent = _Stored(self._stored_events(session, sender_id, False), version)
        tracker = self._tracker(sender_id, recent.events)
        if tracker is None:
            self._recent.pop(sender_id, None)
        else:
            recent.tracker, recent.saved = weakref.ref(tracker), len(tracker.events)
            self._keep(sender_id, recent)
        return tracker

    def _stored_events(self, session: Any, sender_id: Text, all_sessions: bool) -> List[Event]:
        query = self._event_query(session, sender_id, all_sessions)
        rows = query.with_entities(self.SQLEvent.data).all()  # the JSON only, no ORM objects
        return [event for event in (deserialise(json.loads(data)) for (data,) in rows) if event]

    def _tracker(self, sender_id: Text, events: List[Event]) -> Optional[DialogueStateTracker]:
        if not (self.domain and events):
            return None
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's, with the events redacted, one INSERT for all the new events, and
        the redacted events (not the typed ones) streamed to the event broker."""
        if forget.requested(tracker):  # "forget me" confirmed: delete it all (privacy/forget.py)
            self._recent.pop(tracker.sender_id, None)
            forget.delete_conversation(self, tracker.sender_id)
            return
        recent = self._recent.get(tracker.sender_id)
        if recent is not None and recent.tracker() is not tracker:
            recent = None  # not the tracker this store built last for the conversation
        with self.session_scope() as session:
            if recent is not None:
                # The conversation's lock keeps other replicas out between retrieve
                # and save, so the new events are the ones after those already stored.
                new_events = list(itertools.islice(tracker.events, recent.saved, None))
            else:
                new_events = list(super()._additional_events(session, tracker))  # counts them
            stored, serialised = self._redacted(new_events)
            if serialised:
                session.execute(
                    self.SQLEvent.__table__.insert(),
                    [_row(tracker.sender_id, event, data) for event, data in zip(stored, serialised)],
                )
            version = self._version(session, tracker.sender_id) if recent is not None else None
            session.commit()
        self._publish(tracker.sender_id, serialised)
        if recent is not None and version and version[0] == recent.version[0] + len(serialised):
            recent.add(stored, version)
            recent.saved = len(tracker.events)
        else:  # not ours, or someone else wrote or deleted too: the next turn reads the database
            self._recent.pop(tracker.sender_id, None)

    def _redacted(self, events: List[Event]) -> Tuple[List[Event], List[Dict[Text, Any]]]:
        """The events as stored (rebuilt where redaction changed them: what a later
        retrieve reads back) and their redacted serialised forms."""
        stored, serialised = [], []
        for event in events:
            data = event.as_dict()
            redacted = redact_event(data, self._rules)
            if redacted is not data or isinstance(event, UserUttered):
                # As a later retrieve from the database would build it (a user
                # message read back holds exactly its stored JSON).
                event = deserialise(redacted) or event
            stored.append(event)
            serialised.append(redacted)
        return stored, serialised

    def _publish(self, sender_id: Text, serialised: List[Dict[Text, Any]]) -> None:
        """What Rasa streams to the event broker, from the redacted events."""
        if self.event_broker is None:
            return
        for data in serialised:
            self.event_broker.publish({"sender_id": sender_id, **data})

    async def _stream_new_events(self, event_broker: Any, new_events: List[Event], sender_id: Text) -> None:
        """Rasa's own streaming path (save no longer takes it), redacted as well."""
        for event in new_events:
            event_broker.publish({"sender_id": sender_id, **redact_event(event.as_dict(), self._rules)})

    def _version(self, session: Any, sender_id: Text) -> Tuple[int, Optional[int]]:
        """How many events the database holds for the conversation (all sessions),
        and the highest of their ids."""
        count, highest = session.execute(self._version_query, {"sender_id": sender_id}).one()
        return int(count), highest

    def _keep(self, sender_id: Text, recent: "_Stored") -> None:
        self._recent[sender_id] = recent
        self._recent.move_to_end(sender_id)
        while len(self._recent) > self._recent_limit:
            self._recent.popitem(last=False)


@dataclass
class _Stored:
    """A conversation's stored events, as `retrieve` returns them (its latest
    session, redacted), and the database's (count, highest id) of its events in
    all sessions when they were read or saved: the check that nothing else
    changed them since."""

    events: List[Event]
    version: Tuple[int, Optional[int]]
    tracker: Callable[[], Optional[DialogueStateTracker]] = lambda: None  # the last one built
    saved: int = 0  # how many of that tracker's events are stored

    def add(self, events: List[Event], version: Tuple[int, Optional[int]]) -> None:
        self.version = version
        starts = [i for i, event in enumerate(events) if isinstance(event, SessionStarted)]
        self.events = events[starts[-1] :] if starts else self.events + events


def _row(sender_id: Text, event: Event, data: Dict[Text, Any]) -> Dict[Text, Any]:
    """The events table's columns for a serialised event (as Rasa's save fills them)."""
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": (data.get("parse_data") or {}).get("intent", {}).get("name"),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def _event_classes() -> Dict[Text, Type[Event]]:
    """Event type name -> class, the first match in the order Rasa searches."""
    classes: Dict[Text, Type[Event]] = {}
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


_EVENT_CLASSES: Optional[Dict[Text, Type[Event]]] = None


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
                        f"and that the database is running."
                    ) from None
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
