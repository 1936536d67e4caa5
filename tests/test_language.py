"""Which language the assistant answers in (language/), message by message."""

import asyncio

import pytest

from conftest import ROOT
from language.component import LanguagePolicy

EMERGENCY_ES = "Llame al 911 ahora (o a su número local de emergencias)"


@pytest.fixture(scope="module")
def policy():
    return LanguagePolicy.load()


def turn(assistant, text, sender):
    """The replies to one message as (text, response metadata), as the tracker stores them."""
    from rasa.shared.core.events import BotUttered

    agent, loop = assistant._agent, assistant._loop
    before = (
        len(loop.run_until_complete(agent.tracker_store.retrieve(sender)).events) if sender in SEEN else 0
    )
    SEEN.add(sender)
    loop.run_until_complete(agent.handle_text(text, sender_id=sender))
    events = list(loop.run_until_complete(agent.tracker_store.retrieve(sender)).events)[before:]
    return [(e.text, e.metadata.get("metadata") or {}) for e in events if isinstance(e, BotUttered)]


SEEN = set()


@pytest.mark.parametrize(
    "text, current, expected",
    [
        ("el valtrex causa dolor de espalda?", "en", "es"),
        ("does valtrex cause back pain?", "es", "en"),
        ("hola", "en", "es"),  # a greeting says which language
        ("gracias", "en", "es"),
        ("English please", "es", "en"),
        ("en español", "en", "es"),
        ("i don't speak spanish", "es", "en"),
        ("no hablo ingles", "en", "es"),
    ],
)
def test_a_message_that_says_which_language_changes_it(policy, text, current, expected):
    assert policy.decide(text, current=current).language == expected


@pytest.mark.parametrize(
    "text, current",
    [
        ("sí", "es"),  # an answer keeps the language...
        ("sí", "en"),  # ...whichever it is
        ("ok", "es"),
        ("no", "en"),
        ("yes", "es"),
        ("el valtrex causa dolor de espalda?", "es"),  # already Spanish: nothing to change
        ("what are the side effects", "en"),
        ("I read about it on a Spanish website, is valtrex safe for kidneys", "en"),  # not a request
    ],
)
def test_short_answers_and_the_same_language_change_nothing(policy, text, current):
    assert policy.decide(text, current=current).language is None


def test_a_spanish_emergency_answered_in_spanish_sets_spanish(policy):
    decision = policy.decide("ok", current="en", safety={"decision": "urgent_help/spanish"})
    assert decision.language == "es"


def test_a_conversation_keeps_its_language_through_si_and_buttons(assistant):
    sender = "language-sticky"
    first = turn(assistant, "el valtrex causa dolor de espalda?", sender)
    assert first[-1][1]["language"] == "es"
    for message in ("sí", "/ask_side_effects/kidney", "ok gracias"):
        replies = turn(assistant, message, sender)
        assert replies and all(meta.get("language") == "es" for _, meta in replies), (message, replies)
    # A full English question switches back; English replies carry no language.
    english = turn(assistant, "does valtrex cause back pain?", sender)
    assert english[-1][0].startswith("Back pain is not a common side effect")
    assert "language" not in english[-1][1]


def test_a_spanish_emergency_gets_911_first_in_spanish(assistant):
    text, metadata = turn(
        assistant, "mi esposo no puede respirar y tiene los labios morados", "language-urgent"
    )[0]
    assert text.startswith(EMERGENCY_ES)
    assert metadata == {"urgent": True, "category": "spanish", "language": "es"}


def test_an_urgent_reply_in_a_spanish_conversation_keeps_its_category(assistant):
    """A red flag the SafetyNet reads as English, with the slot Spanish: the category, in Spanish."""
    sender = "language-category"
    turn(assistant, "en español por favor", sender)
    text, metadata = turn(assistant, "/urgent_help/heart_breathing", sender)[0]
    assert text.startswith(EMERGENCY_ES)
    assert metadata == {"urgent": True, "category": "heart_breathing", "language": "es"}


def test_the_toggle_payload_switches_both_ways(assistant):
    sender = "language-toggle"
    spanish = turn(assistant, '/switch_language{"language": "es"}', sender)
    assert any(text.startswith("Muy bien, le respondo en español") for text, _ in spanish)
    english = turn(assistant, '/switch_language{"language": "en"}', sender)
    assert any(text.startswith("OK, I'll answer in English") for text, _ in english)


def test_the_reply_generator_fills_in_spanish_titles_and_topics():
    """What the replies take from the components' English slots is shown in Spanish."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    from service.nlg import ServiceNLG

    domain = Domain.load(str(ROOT / "domain.yml"))
    nlg = ServiceNLG(domain=domain)
    tracker = DialogueStateTracker.from_events(
        "nlg-es",
        [
            SlotSet("language", "es"),
            SlotSet("suggestion_1", "ask_side_effects/common"),
            SlotSet("suggestion_1_title", "Common side effects"),
            SlotSet("suggestion_2", "ask_back_pain/causes"),
            SlotSet("suggestion_2_title", "Causes of back pain"),
            SlotSet("unknown_topic", "driving"),
        ],
        slots=domain.slots,
    )
    loop = asyncio.new_event_loop()
    abstain = loop.run_until_complete(nlg.generate("utter_abstain", tracker, "rest"))
    assert [b["title"] for b in abstain["buttons"]] == ["Efectos comunes", "Causas del dolor"]
    assert abstain["metadata"]["language"] == "es"
    topic = loop.run_until_complete(nlg.generate("utter_not_in_label", tracker, "rest"))
    assert topic["text"].startswith("No tengo datos revisados sobre el valaciclovir y manejar.")
