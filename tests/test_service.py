"""Feedback records and the site's contact (service/), through the trained model
with the reply generator that endpoints.yml names."""

import asyncio
import json

import pytest
import textstat
import yaml
from rasa.core.agent import Agent
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.utils.endpoints import EndpointConfig

from bench.server import MODEL, ROOT
from privacy.tracker_store import RedactingSQLTrackerStore
from service.contact import Contact, ContactError, load_contact

CONTACT = {
    "name": "Riverside Outpatient Pharmacy",
    "phone": "(555) 010-0142",
    "hours": "Monday to Friday, 8 am to 6 pm",
    "link": "https://pharmacy.example/contact",
}
NO_PERSON = "I'm a computer program, so I can't put you through to a person"


def write_contact(path, contact):
    path.write_text(yaml.safe_dump({"contact": contact}), encoding="utf-8")
    return path


class Chat:
    """The trained model with the service's reply generator, driven like a channel."""

    def __init__(self, contact_file, store=None):
        self.loop = asyncio.new_event_loop()
        self.agent = Agent.load(
            str(MODEL),
            tracker_store=store,
            generator=EndpointConfig(type="service.nlg.ServiceNLG", contact_file=str(contact_file)),
        )

    def say(self, text, sender="patient"):
        return self.loop.run_until_complete(self.agent.handle_text(text, sender_id=sender))

    def tracker(self, sender="patient"):
        return self.loop.run_until_complete(self.agent.tracker_store.retrieve(sender))

    def votes(self, sender="patient"):
        return [
            (event.metadata.get("metadata") or {}).get("feedback")
            for event in self.tracker(sender).events
            if isinstance(event, BotUttered)
            and event.metadata.get("utter_action") in ("utter_helpful", "utter_not_helpful")
        ]


@pytest.fixture(scope="module")
def configured(tmp_path_factory):
    return Chat(write_contact(tmp_path_factory.mktemp("contact") / "contact.yml", CONTACT))


@pytest.fixture(scope="module")
def unconfigured():
    return Chat(ROOT / "contact.yml")  # the repository's file: empty


def test_the_shipped_contact_file_is_empty():
    assert load_contact(ROOT / "contact.yml") is None


@pytest.mark.parametrize(
    "contact, message",
    [
        ({"phone": "555"}, "needs a name"),
        ({"name": "Pharmacy", "hours": "9 to 5"}, "a phone or a link"),
        ({"name": "Pharmacy", "link": "javascript:alert(1)"}, "https:// or http://"),
        ({"name": "Pharmacy", "phone": "555", "email": "a@b.org"}, "unknown contact field"),
    ],
)
def test_a_bad_contact_file_is_refused_clearly(tmp_path, contact, message):
    with pytest.raises(ContactError, match=message):
        load_contact(write_contact(tmp_path / "contact.yml", contact))


def test_contact_details_are_labelled_as_a_phone_number_and_a_web_page():
    assert Contact(**CONTACT).details() == (
        "Phone: (555) 010-0142\nHours: Monday to Friday, "
        "8 am to 6 pm\nWeb page: https://pharmacy.example/contact"
    )
    assert (
        Contact(name="Clinic", link="https://clinic.example").details() == "Web page: https://clinic.example"
    )


def test_without_a_contact_it_points_to_the_pharmacist_or_provider(unconfigured):
    replies = unconfigured.say("can i talk to a human", sender="nobody-configured")
    assert [r["text"] for r in replies][1:] == [
        f"{NO_PERSON}. For questions about your own care, talk to your pharmacist or healthcare provider."
    ]
    personal = unconfigured.say("how much valtrex should i take", sender="nobody-configured")
    assert "buttons" not in personal[-1]  # nothing to offer beyond what the answer says


def test_a_configured_contact_is_offered_honestly(configured):
    text = configured.say("can i speak to a real person", sender="asks-for-person")[-1]["text"]
    assert text == (
        f"{NO_PERSON}. This is not a live chat. You can reach Riverside Outpatient "
        "Pharmacy yourself:\nPhone: (555) 010-0142\nHours: Monday to Friday, 8 am to 6 pm\n"
        "Web page: https://pharmacy.example/contact"
    )
    prose = text.split("\n", 1)[0]  # the details below it are a labelled list
    assert textstat.flesch_kincaid_grade(prose) <= 8
    assert "{" not in text


def test_personal_answers_offer_the_contact(configured):
    reply = configured.say("can i take ibuprofen with valtrex", sender="personal")[-1]
    assert "consult your healthcare provider" in reply["text"]
    assert reply["buttons"][-1] == {"title": "Talk to a person", "payload": "/ask_human"}
    followed = configured.say(reply["buttons"][-1]["payload"], sender="personal")
    assert followed[-1]["text"].startswith(NO_PERSON)
    # Only personal answers: a general answer keeps its own buttons.
    general = configured.say("what are the side effects", sender="personal")[-1]
    assert {"title": "Talk to a person", "payload": "/ask_human"} not in general.get("buttons", [])


def test_a_typed_vote_is_about_the_latest_answer(configured):
    configured.say("does valtrex cause back pain", sender="typed-vote")
    replies = configured.say("👎", sender="typed-vote")
    assert replies[0]["text"] == "Sorry that didn't help. You can ask another way, or pick a topic."
    assert [b["title"] for b in replies[0]["buttons"]] == [
        "Ask another way",
        "What it treats",
        "Side effects",
        "Back pain",
        "When to get help",
    ]
    configured.say("thanks", sender="typed-vote")  # not an answer: the vote below is still about back pain
    configured.say("good answer", sender="typed-vote")
    assert configured.votes("typed-vote") == [
        {"vote": "down", "answer": "utter_ask_back_pain/is_side_effect"},
        {"vote": "up", "answer": "utter_ask_back_pain/is_side_effect"},
    ]


def test_a_button_vote_names_its_answer_and_nothing_else_is_recorded(configured):
    configured.say("what is valtrex", sender="button-vote")
    configured.say("can valtrex hurt the kidneys", sender="button-vote")
    configured.say('/helpful{"answer": "utter_ask_uses/what_it_is"}', sender="button-vote")
    # A name that is not an answer (here contact details) is never recorded.
    configured.say('/not_helpful{"answer": "call me on 555 123 4567"}', sender="button-vote")
    assert configured.votes("button-vote") == [
        {"vote": "up", "answer": "utter_ask_uses/what_it_is"},
        {"vote": "down", "answer": "utter_ask_side_effects/kidney"},
    ]


def test_a_vote_before_any_answer_is_recorded_without_one(configured):
    configured.say("thumbs up", sender="early-vote")
    assert configured.votes("early-vote") == [{"vote": "up", "answer": None}]


def test_stored_vote_carries_the_answer_name_and_the_vote_and_no_text(tmp_path):
    store = RedactingSQLTrackerStore(Domain.empty(), db=str(tmp_path / "t.db"))
    chat = Chat(ROOT / "contact.yml", store=store)
    question = "does valtrex cause back pain? mail me at jo@example.com"
    chat.say(question, sender="stored")
    chat.say('/not_helpful{"answer": "utter_ask_back_pain/is_side_effect"}', sender="stored")
    rows = [json.loads(row) for (row,) in store.engine.execute("SELECT data FROM events ORDER BY id")]
    votes = [row for row in rows if row.get("metadata", {}).get("utter_action") == "utter_not_helpful"]
    assert len(votes) == 1
    assert votes[0]["metadata"]["metadata"] == {
        "feedback": {"vote": "down", "answer": "utter_ask_back_pain/is_side_effect"}
    }
    answer_text = next(
        row["text"]
        for row in rows
        if row.get("event") == "bot"
        and row["metadata"]["utter_action"] == "utter_ask_back_pain/is_side_effect"
    )
    stored_vote = json.dumps(votes[0])
    assert "jo@example.com" not in stored_vote and "back pain?" not in stored_vote
    assert answer_text not in stored_vote
    user_votes = [
        row
        for row in rows
        if row.get("event") == "user" and row["parse_data"]["intent"]["name"] == "not_helpful"
    ]
    assert [row["text"] for row in user_votes] == [
        '/not_helpful{"answer": "utter_ask_back_pain/is_side_effect"}'
    ]
