"""E-mail addresses and phone numbers never reach the tracker store."""
import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from privacy.tracker_store import RedactingInMemoryTrackerStore, load_rules, redact

RULES = load_rules()


@pytest.mark.parametrize("text, expected", [
    ("mail me at jane.doe+rx@example.co.uk please", "mail me at [email] please"),
    ("call me on (555) 123-4567", "call me on [phone]"),
    ("my number is +44 7700 900123", "my number is [phone]"),
    ("i took 500 mg twice, 2 tablets, at 10 30", "i took 500 mg twice, 2 tablets, at 10 30"),
    ("does valtrex cause back pain", "does valtrex cause back pain"),
])
def test_redact(text, expected):
    assert redact(text, RULES) == expected


def test_stored_conversation_keeps_no_contact_details():
    store = RedactingInMemoryTrackerStore(Domain.empty())
    text = "my son swallowed pills, call 555 123 4567 or dad@example.com"
    tracker = DialogueStateTracker.from_events("patient", [
        ActionExecuted("action_listen"),
        UserUttered(text, intent={"name": "urgent_help", "confidence": 1.0},
                    parse_data={"text": text, "intent": {"name": "urgent_help"}}),
        BotUttered("Call 911 now (or your local emergency number)."),
    ])
    asyncio.run(store.save(tracker))
    stored = store.store["patient"]
    assert "555" not in stored and "dad@example.com" not in stored
    retrieved = asyncio.run(store.retrieve("patient"))
    user = [e for e in retrieved.events if isinstance(e, UserUttered)][0]
    assert user.text == "my son swallowed pills, call [phone] or [email]"
    assert user.parse_data["text"] == user.text
    assert user.intent["name"] == "urgent_help"  # the rest of the turn is kept
    assert retrieved.latest_bot_utterance.text.startswith("Call 911 now")


def test_endpoints_use_the_redacting_store():
    from rasa.core.tracker_store import TrackerStore
    from rasa.core.utils import read_endpoints_from_path

    from conftest import ROOT

    endpoints = read_endpoints_from_path(ROOT / "endpoints.yml")
    store = TrackerStore.create(endpoints.tracker_store, Domain.empty())
    assert isinstance(store, RedactingInMemoryTrackerStore)
