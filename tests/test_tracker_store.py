"""Conversations are stored: they survive a restart, old ones can be purged, and a
database that cannot be reached stops the server with a clear error."""

import asyncio
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bench.server import MODEL, ROOT, RasaServer
from conftest import start_server
from privacy.purge import DAY_SECONDS, purge
from privacy.tracker_store import RedactingSQLTrackerStore

DISCLAIMER = "I'm an automated assistant, not a doctor."


def say(server: RasaServer, message: str, sender: str):
    response = requests.post(
        f"{server.url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=30
    )
    response.raise_for_status()
    return [reply["text"] for reply in response.json()]


@pytest.mark.slow
def test_a_restart_does_not_interrupt_a_conversation(tmp_path):
    server = start_server(RasaServer(tmp_path / "rasa.log"))
    try:
        first = say(server, "what is valtrex used for", "restarted")
        assert first[0].startswith(DISCLAIMER)
        server.stop()
        start_server(server)
        after = say(server, "what is valtrex used for", "restarted")
    finally:
        server.stop()
    # The same conversation goes on: no second disclaimer, just the answer.
    assert after == first[1:]
    store = RedactingSQLTrackerStore(Domain.empty(), db=str(server.tracker_db))
    tracker = asyncio.run(store.retrieve("restarted"))
    users = [event.text for event in tracker.events if isinstance(event, UserUttered)]
    assert users == ["what is valtrex used for"] * 2


@pytest.mark.slow
def test_an_unreachable_database_stops_the_server_with_a_clear_error(tmp_path):
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        yaml.safe_dump(
            {
                "tracker_store": {
                    "type": "privacy.tracker_store.RedactingSQLTrackerStore",
                    "dialect": "postgresql",
                    "url": "127.0.0.1",
                    "port": 9,
                    "db": "rasa",
                    "username": "rasa",
                    "password": "not-a-secret",
                    "connect_timeout": 2,
                }
            }
        )
    )
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("rasa")),
            "run",
            "--model",
            str(MODEL),
            "--port",
            "9",
            "--endpoints",
            str(endpoints),
            "--credentials",
            "credentials.yml",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert (
        "Cannot reach the conversation database postgresql://rasa:***@127.0.0.1:9/rasa within 2 s"
    ) in output
    assert "not-a-secret" not in output and "Traceback" not in output
    # It stops by itself (exit code 1 above) instead of retrying forever; how
    # fast depends on the machine, so it is bounded by the timeout, not asserted.


def conversation(sender: str, days_ago: float) -> DialogueStateTracker:
    stamp = time.time() - days_ago * DAY_SECONDS
    return DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_listen", timestamp=stamp),
            UserUttered("hi", intent={"name": "greet", "confidence": 1.0}, timestamp=stamp),
            BotUttered("Hello!", timestamp=stamp),
        ],
    )


def test_purge_deletes_only_what_is_older_than_the_cut_off(tmp_path):
    store = RedactingSQLTrackerStore(Domain.empty(), db=str(tmp_path / "t.db"))
    for sender, days_ago in [("old", 45), ("recent", 2)]:
        asyncio.run(store.save(conversation(sender, days_ago)))
    long_running = conversation("long-running", 40)
    long_running.update(UserUttered("still there?", timestamp=time.time()))
    asyncio.run(store.save(long_running))

    counts = purge(store, days=30, now=time.time())

    assert counts == {"events": 6, "conversations_removed": 1, "conversations_shortened": 1}
    assert asyncio.run(store.retrieve("old")) is None
    assert len(asyncio.run(store.retrieve("recent")).events) == 3
    assert [e.text for e in asyncio.run(store.retrieve("long-running")).events] == ["still there?"]


@pytest.mark.parametrize(
    "days, message", [("0", "--days must be at least 1"), ("thirty", "invalid int value")]
)
def test_purge_refuses_a_bad_number_of_days(days, message):
    result = subprocess.run(
        [sys.executable, "-m", "privacy.purge", "--days", days],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and message in result.stderr


def turn(store: RedactingSQLTrackerStore, sender: str, text: str) -> DialogueStateTracker:
    """What Rasa does with the store for one message: retrieve, add the turn, save."""
    tracker = asyncio.run(store.retrieve(sender))
    tracker.update(UserUttered(text, intent={"name": "greet", "confidence": 1.0}))
    tracker.update(BotUttered("ok"))
    asyncio.run(store.save(tracker))
    return tracker


def user_texts(tracker: DialogueStateTracker):
    return [event.text for event in tracker.events if isinstance(event, UserUttered)]


@pytest.fixture
def store_on_disk(tmp_path):
    def make(**kwargs) -> RedactingSQLTrackerStore:
        return RedactingSQLTrackerStore(Domain.empty(), db=str(tmp_path / "t.db"), **kwargs)

    return make


def test_an_unchanged_conversation_is_not_read_from_the_database_again(store_on_disk, monkeypatch):
    store = store_on_disk()
    asyncio.run(store.save(conversation("kept", days_ago=0)))
    turn(store, "kept", "mail me at jane@example.com")  # read from the database
    monkeypatch.setattr(store, "_stored_events", lambda *args: pytest.fail("read again"))
    tracker = asyncio.run(store.retrieve("kept"))
    # What memory serves is what the database would: the stored, redacted events.
    assert user_texts(tracker) == ["hi", "mail me at [email]"]


def test_a_conversation_another_process_added_to_is_read_again(store_on_disk):
    ours, theirs = store_on_disk(), store_on_disk()
    asyncio.run(ours.save(conversation("shared", days_ago=0)))
    turn(ours, "shared", "first")
    turn(theirs, "shared", "second")  # e.g. another replica, or purge deleting events
    assert user_texts(asyncio.run(ours.retrieve("shared"))) == ["hi", "first", "second"]


def test_a_purge_and_as_many_new_events_elsewhere_are_noticed(store_on_disk, tmp_path):
    """Another replica deletes k events (a purge) and adds k (a turn): the count is
    the same, the conversation is not."""
    ours, theirs = store_on_disk(), store_on_disk()
    asyncio.run(ours.save(conversation("shared", days_ago=0)))
    turn(ours, "shared", "first")  # kept in our memory: 5 events
    with sqlite3.connect(tmp_path / "t.db") as db:  # purge the oldest two
        db.execute("DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT 2)")
    turn(theirs, "shared", "second")  # 5 events again
    assert user_texts(asyncio.run(ours.retrieve("shared"))) == ["first", "second"]


def test_a_turn_that_was_not_saved_is_forgotten(store_on_disk):
    store = store_on_disk()
    asyncio.run(store.save(conversation("failed", days_ago=0)))
    tracker = asyncio.run(store.retrieve("failed"))
    tracker.update(UserUttered("never saved"))  # e.g. the turn raised before `save`
    assert user_texts(asyncio.run(store.retrieve("failed"))) == ["hi"]
    turn(store, "failed", "next")
    assert user_texts(asyncio.run(store_on_disk().retrieve("failed"))) == ["hi", "next"]


def test_only_the_most_recent_conversations_are_kept_in_memory(store_on_disk, monkeypatch):
    store = store_on_disk(recent_conversations=2)
    for sender in ("a", "b", "c"):
        asyncio.run(store.save(conversation(sender, days_ago=0)))
        turn(store, sender, "again")
    read = []
    original = store._stored_events
    monkeypatch.setattr(
        store,
        "_stored_events",
        lambda session, sender, *rest: read.append(sender) or original(session, sender, *rest),
    )
    for sender in ("c", "b", "a"):
        assert user_texts(asyncio.run(store.retrieve(sender))) == ["hi", "again"]
    assert read == ["a"]  # the least recent one was let go
