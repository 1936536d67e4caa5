""" "Forget me": every stored event of the conversation goes (SQLite and PostgreSQL),
other conversations stay, the in-memory copy goes too, and a restart does not bring
anything back. `make purge` removes votes like any other event."""

import asyncio
import sqlite3
import time

import requests
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bench.server import RasaServer
from conftest import start_server
from privacy.forget import delete_conversation, requested
from privacy.purge import DAY_SECONDS, purge
from privacy.tracker_store import RedactingSQLTrackerStore

DISCLAIMER = "I'm an automated assistant, not a doctor."
CONFIRMED = {"utter_action": "utter_forget_me_confirm", "metadata": {"forgotten": True}}


def turn(tracker, text, intent, reply, metadata=None, timestamp=None):
    tracker.update(UserUttered(text, intent={"name": intent, "confidence": 1.0}, timestamp=timestamp))
    tracker.update(ActionExecuted(metadata["utter_action"] if metadata else "utter_x", timestamp=timestamp))
    tracker.update(BotUttered(reply, metadata=metadata or {}, timestamp=timestamp))


def conversation(store, sender, *turns):
    tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker.from_events(
        sender, [ActionExecuted("action_listen")]
    )
    for args in turns:
        turn(tracker, *args)
    asyncio.run(store.save(tracker))
    return tracker


def stored_senders(store):
    events = store.SQLEvent.__table__
    with store.session_scope() as session:
        rows = session.execute(events.select().with_only_columns([events.c.sender_id])).all()
    return sorted(sender for (sender,) in rows)


def test_only_a_turn_ending_with_the_confirmation_asks_for_deletion():
    tracker = DialogueStateTracker.from_events("a", [ActionExecuted("action_listen")])
    turn(tracker, "forget me", "forget_me", "Do you want me to delete ...?")
    assert not requested(tracker)
    turn(tracker, "/forget_me_confirm", "forget_me_confirm", "Done.", CONFIRMED)
    assert requested(tracker)
    turn(tracker, "hi", "greet", "Hi!")  # a later turn of a (new) conversation
    assert not requested(tracker)
    # The flag must be the response's own metadata, exactly true.
    lookalike = DialogueStateTracker.from_events("b", [ActionExecuted("action_listen")])
    turn(lookalike, "x", "greet", "Done.", {"utter_action": "utter_x", "metadata": {"forgotten": "yes"}})
    assert not requested(lookalike)


def forget_and_check(store):
    conversation(store, "stays", ("what is valtrex", "ask_uses", "Valacyclovir is ..."))
    conversation(
        store,
        "goes",
        ("what is valtrex", "ask_uses", "Valacyclovir is ..."),
        (
            "👎",
            "not_helpful",
            "Sorry that didn't help.",
            {"utter_action": "utter_not_helpful", "metadata": {"feedback": {"vote": "down"}}},
        ),
    )
    tracker = conversation(store, "goes", ("forget me", "forget_me", "Do you want me to delete ...?"))
    assert "goes" in stored_senders(store)
    assert "goes" in store._recent  # its stored events are kept in memory between turns
    turn(tracker, "/forget_me_confirm", "forget_me_confirm", "Done.", CONFIRMED)
    asyncio.run(store.save(tracker))

    assert set(stored_senders(store)) == {"stays"}  # the vote went with the rest
    assert "goes" not in store._recent
    assert asyncio.run(store.retrieve("goes")) is None
    assert len(asyncio.run(store.retrieve("stays")).events) == 4


def test_forget_deletes_the_conversation_on_sqlite(tmp_path):
    store = RedactingSQLTrackerStore(Domain.empty(), db=str(tmp_path / "t.db"))
    forget_and_check(store)
    # A restart (a new store on the same file) finds nothing either.
    assert (
        asyncio.run(RedactingSQLTrackerStore(Domain.empty(), db=str(tmp_path / "t.db")).retrieve("goes"))
        is None
    )
    assert delete_conversation(store, "never-existed") == 0


def test_forget_deletes_the_conversation_on_postgresql(postgres):
    store = RedactingSQLTrackerStore(Domain.empty(), **postgres)
    other_replica = RedactingSQLTrackerStore(Domain.empty(), **postgres)
    forget_and_check(store)
    assert asyncio.run(other_replica.retrieve("goes")) is None
    assert [
        e.text for e in asyncio.run(other_replica.retrieve("stays")).events if isinstance(e, UserUttered)
    ] == ["what is valtrex"]


def test_purge_also_removes_old_votes(tmp_path):
    store = RedactingSQLTrackerStore(Domain.empty(), db=str(tmp_path / "t.db"))
    old = time.time() - 40 * DAY_SECONDS
    vote = {"utter_action": "utter_helpful", "metadata": {"feedback": {"vote": "up", "answer": "utter_a/b"}}}
    conversation(store, "voter", ("/helpful", "helpful", "Thanks for telling us.", vote, old))
    conversation(store, "voter", ("what is valtrex", "ask_uses", "Valacyclovir is ..."))
    purge(store, days=30, now=time.time())
    rows = [data for (data,) in sqlite3.connect(tmp_path / "t.db").execute("SELECT data FROM events")]
    assert rows and not any("feedback" in row or "/helpful" in row for row in rows)


def say(server, message, sender):
    response = requests.post(
        f"{server.url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=30
    )
    response.raise_for_status()
    return [reply.get("text") for reply in response.json()]


def stored_count(server, sender):
    with sqlite3.connect(server.tracker_db) as db:
        return db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def test_forget_me_over_rest_end_to_end(tmp_path):
    server = start_server(RasaServer(tmp_path / "rasa.log"))
    try:
        say(server, "what is valtrex used for", "neighbour")
        assert say(server, "does valtrex cause back pain", "me")[0].startswith(DISCLAIMER)
        say(server, "👎", "me")
        asked = say(server, "forget me", "me")
        assert asked == ["Do you want me to delete this whole chat from our records? This can't be undone."]
        assert stored_count(server, "me") > 0
        assert say(server, "/forget_me_confirm", "me") == ["Done. I deleted this chat from our records."]
        assert stored_count(server, "me") == 0
        neighbour = stored_count(server, "neighbour")
        assert neighbour > 0

        server.stop()  # nothing comes back after a restart
        start_server(server)
        assert stored_count(server, "me") == 0
        assert say(server, "what is valtrex used for", "me")[0].startswith(DISCLAIMER)  # a new conversation
        assert stored_count(server, "neighbour") == neighbour
        # Typed, and cancelled: nothing is deleted.
        say(server, "delete my data", "me")
        before = stored_count(server, "me")
        assert say(server, "no, keep it", "me") == ["OK, I kept it. Nothing was deleted."]
        assert stored_count(server, "me") > before
    finally:
        server.stop()
    assert "what is valtrex used for" not in server.log.read_text()
