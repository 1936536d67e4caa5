"""E-mail addresses and phone numbers never reach the tracker store."""

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from privacy.tracker_store import RedactingSQLTrackerStore, load_rules, redact

RULES = load_rules()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mail me at jane.doe+rx@example.co.uk please", "mail me at [email] please"),
        ("call me on (555) 123-4567", "call me on [phone]"),
        ("my number is +44 7700 900123", "my number is [phone]"),
        ("i took 500 mg twice, 2 tablets, at 10 30", "i took 500 mg twice, 2 tablets, at 10 30"),
        ("does valtrex cause back pain", "does valtrex cause back pain"),
    ],
)
def test_redact(text, expected):
    assert redact(text, RULES) == expected


def stored_rows(db: Path) -> List[str]:
    with sqlite3.connect(db) as connection:
        return [data for (data,) in connection.execute("SELECT data FROM events ORDER BY id")]


def strings(value: Any) -> Iterator[str]:
    """Every string in a serialised event, keys included, at any depth."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def holding(rows: List[str], *details: str) -> List[str]:
    """The strings of the stored events that still hold one of `details` (whole)."""
    return [
        text for row in rows for text in strings(json.loads(row)) if any(detail in text for detail in details)
    ]


def test_stored_conversation_keeps_no_contact_details(tmp_path):
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    text = "my son swallowed pills, call 555 123 4567 or dad@example.com"
    tracker = DialogueStateTracker.from_events(
        "patient",
        [
            ActionExecuted("action_listen"),
            UserUttered(
                text,
                intent={"name": "urgent_help", "confidence": 1.0},
                parse_data={"text": text, "intent": {"name": "urgent_help"}},
            ),
            BotUttered("Call 911 now (or your local emergency number)."),
        ],
    )
    asyncio.run(store.save(tracker))
    rows = stored_rows(tmp_path / "t.db")
    assert len(rows) == 3
    assert holding(rows, "555 123 4567", "dad@example.com") == []
    user = json.loads(rows[1])
    assert user["text"] == user["parse_data"]["text"] == "my son swallowed pills, call [phone] or [email]"
    retrieved = asyncio.run(store.retrieve("patient"))
    user = [e for e in retrieved.events if isinstance(e, UserUttered)][0]
    assert user.text == "my son swallowed pills, call [phone] or [email]"
    assert user.parse_data["text"] == user.text
    assert user.intent["name"] == "urgent_help"  # the rest of the turn is kept
    assert retrieved.latest_bot_utterance.text.startswith("Call 911 now")
    assert tracker.latest_message.text == text  # the live conversation is untouched


class InMemoryBroker(EventBroker):
    """An event broker that keeps what it is sent."""

    def __init__(self) -> None:
        self.published: List[Dict[str, Any]] = []

    def publish(self, event: Dict[str, Any]) -> None:
        self.published.append(json.loads(json.dumps(event)))  # as it would go over the wire


# A red flag whose matched text holds the contact detail, and one set aside
# (negated) whose text does: the safety net copies both into the parse data.
OVERLAPS = [
    ("my chest 555 123 4567 hurts", "555 123 4567", "matched_text"),
    ("no chest 555 123 4567 pain", "555 123 4567", "set_aside"),
]


@pytest.mark.parametrize("text, contact, field", OVERLAPS, ids=[field for *_, field in OVERLAPS])
def test_every_stored_field_is_redacted_when_a_red_flag_holds_contact_details(
    assistant, tmp_path, text, contact, field
):
    parsed = assistant.parse(text)
    assert contact in json.dumps(parsed["safety"][field]), "the safety net no longer copies it"
    broker = InMemoryBroker()
    store = RedactingSQLTrackerStore(Domain.empty(), event_broker=broker, db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker.from_events(
        "patient",
        [
            ActionExecuted("action_listen"),
            UserUttered(
                text,
                parsed["intent"],
                parsed["entities"],
                parse_data=parsed,
                metadata={"note": f"call {contact}", f"key {contact}": "mail jo@example.com"},
            ),
            SlotSet("contact", f"call me on {contact}"),
            BotUttered("Call Poison Help at 1-800-222-1222."),
        ],
    )
    asyncio.run(store.save(tracker))

    rows = stored_rows(tmp_path / "t.db")
    assert len(rows) == 4
    assert holding(rows, contact, "jo@example.com") == []
    user = json.loads(rows[1])
    assert "[phone]" in json.dumps(user["parse_data"]["safety"][field])
    assert user["metadata"] == {"note": "call [phone]", "key [phone]": "mail [email]"}
    assert json.loads(rows[2])["value"] == "call me on [phone]"
    # The assistant's own reply keeps the help line's number.
    assert json.loads(rows[3])["text"] == "Call Poison Help at 1-800-222-1222."
    # The event broker gets what was stored, never what was typed.
    assert [{k: v for k, v in e.items() if k != "sender_id"} for e in broker.published] == [
        json.loads(row) for row in rows
    ]
    assert holding([json.dumps(e) for e in broker.published], contact, "jo@example.com") == []


def test_rasas_own_streaming_path_is_redacted_too(tmp_path):
    broker = InMemoryBroker()
    store = RedactingSQLTrackerStore(Domain.empty(), event_broker=broker, db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker.from_events("patient", [UserUttered("mail jo@example.com")])
    asyncio.run(store.stream_events(tracker))
    assert [event["text"] for event in broker.published] == ["mail [email]"]


def test_each_turn_is_stored_once(tmp_path):
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker.from_events("patient", [ActionExecuted("action_listen")])
    for turn in ("hello", "mail me at a@b.org", "bye"):
        tracker.update(UserUttered(turn, intent={"name": "greet", "confidence": 1.0}))
        tracker.update(BotUttered("ok"))
        asyncio.run(store.save(tracker))
    users = [
        json.loads(row)["text"]
        for row in stored_rows(tmp_path / "t.db")
        if json.loads(row)["event"] == "user"
    ]
    assert users == ["hello", "mail me at [email]", "bye"]


def test_turns_added_to_a_retrieved_conversation_are_stored_once(tmp_path):
    """How Rasa uses the store: retrieve, add a turn, save; and a new session."""
    store = RedactingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "t.db"))
    tracker = DialogueStateTracker.from_events("patient", [ActionExecuted("action_listen")])
    asyncio.run(store.save(tracker))
    for turn in ("hello", "call 555 123 4567", "bye"):
        tracker = asyncio.run(store.retrieve("patient"))
        if turn == "bye":
            tracker.update(SessionStarted())
        tracker.update(UserUttered(turn, intent={"name": "greet", "confidence": 1.0}))
        tracker.update(BotUttered("ok"))
        asyncio.run(store.save(tracker))
    events = [json.loads(row) for row in stored_rows(tmp_path / "t.db")]
    assert [e["event"] for e in events] == ["action"] + ["user", "bot"] * 2 + [
        "session_started",
        "user",
        "bot",
    ]
    assert [e["text"] for e in events if e["event"] == "user"] == ["hello", "call [phone]", "bye"]
    latest = asyncio.run(store.retrieve("patient"))  # the latest session only
    assert [e.type_name for e in latest.events] == ["session_started", "user", "bot"]


def test_endpoints_use_the_redacting_store(tmp_path, monkeypatch):
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import read_endpoints_from_path

    from conftest import ROOT

    monkeypatch.chdir(tmp_path)  # endpoints.yml names a file relative to the working directory
    endpoints = read_endpoints_from_path(ROOT / "endpoints.yml")
    store = TrackerStore.create(endpoints.tracker_store, Domain.empty())
    assert isinstance(store, RedactingSQLTrackerStore)
    assert store.engine.url.database == "conversations.db"
