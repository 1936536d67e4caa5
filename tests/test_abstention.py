"""The Abstainer: an answer only when it fits, an honest "I don't know" otherwise."""

import pytest
import yaml
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from abstention.component import SETTINGS_FILE, Abstainer, fits
from abstention.similarity import ExampleIndex, content_words, word_family
from conftest import ROOT

SETTINGS = yaml.safe_load(SETTINGS_FILE.read_text())
EXAMPLES = [
    ["ask_side_effects/common", "what be the common side effect of valtrex"],
    ["ask_side_effects/common", "do valtrex cause headache or nausea"],
    ["ask_side_effects/kidney", "can valtrex hurt your kidney"],
    ["ask_back_pain/pain_relievers", "be ibuprofen ok for back pain on valtrex"],
    ["ask_uses/with_food", "take valtrex with food or not"],
]
TOKENIZER = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())


@pytest.fixture(scope="module")
def abstainer(tmp_path_factory):
    return Abstainer(
        Abstainer.get_default_config(),
        LocalModelStorage(tmp_path_factory.mktemp("abstention")),
        Resource("abstention"),
        EXAMPLES,
    )


def message(
    text,
    intent="ask_side_effects",
    answer="ask_side_effects/common",
    intent_confidence=0.99,
    answer_confidence=0.9,
):
    msg = Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": intent_confidence},
            "intent_ranking": [
                {"name": intent, "confidence": intent_confidence},
                {"name": "urgent_help", "confidence": 0.01},
            ],
            "response_selector": {
                intent: {"response": {"intent_response_key": answer, "confidence": answer_confidence}}
            },
        }
    )
    TOKENIZER.process([msg])
    return msg


def entities(msg):
    return {e["entity"]: (e["value"], e["start"], e["end"]) for e in msg.get("entities") or []}


def test_word_families_and_content_words():
    assert word_family("depressed") == word_family("depression") == "depress"
    assert word_family("kidneys") == "kidney"
    assert word_family("less") == "less"
    assert content_words("can valtrex cause back pain") == ["back", "pain"]


def test_a_word_no_example_has_lowers_the_similarity():
    index = ExampleIndex([tuple(e) for e in EXAMPLES])
    known = index.similarities("can valtrex hurt your kidney")["ask_side_effects/kidney"]
    unknown = index.similarities("can valtrex hurt your kidney or your tattoo")["ask_side_effects/kidney"]
    assert known == pytest.approx(1.0)
    assert 0 < unknown < known
    assert index.similarities("can valtrex cause hair loss") == {}


def test_a_fitting_answer_stands(abstainer):
    msg = message("what be the common side effect of valtrex")
    abstainer.process([msg])
    assert msg.get("intent")["name"] == "ask_side_effects"
    assert msg.get("abstention")["decision"] == "answer"


def test_a_question_unlike_the_answers_examples_abstains_with_suggestions(abstainer):
    text = "can valtrex cause hair loss"
    msg = message(text)
    abstainer.process([msg])
    assert msg.get("intent")["name"] == "nlu_fallback"
    assert msg.get("abstention")["decision"] == "abstain"
    # The intent was clear: its overview answers are offered.
    assert entities(msg) == {
        "suggestion_1": ("ask_side_effects/common", 0, len(text)),
        "suggestion_1_title": ("Common side effects", 0, len(text)),
        "suggestion_2": ("ask_side_effects/serious", 0, len(text)),
        "suggestion_2_title": ("Serious side effects", 0, len(text)),
    }
    assert "urgent_help" in [entry["name"] for entry in msg.get("intent_ranking")]


def test_an_unsure_classifier_abstains(abstainer):
    msg = message("what be the common side effect of valtrex", answer_confidence=0.2)
    abstainer.process([msg])
    # ...unless the closest example of all is the chosen answer's, and close.
    assert msg.get("intent")["name"] == "ask_side_effects"
    msg = message("do valtrex cause headache", answer="ask_side_effects/kidney", answer_confidence=0.2)
    abstainer.process([msg])
    assert msg.get("intent")["name"] == "nlu_fallback"
    msg = message(
        "what be the common side effect of valtrex", intent_confidence=0.45
    )  # below the intent threshold
    abstainer.process([msg])
    assert msg.get("intent")["name"] == "nlu_fallback"


def test_a_topic_the_label_does_not_cover_is_named(abstainer):
    text = "is it safe to drive after valtrex"
    msg = message(text, "ask_uses", "ask_uses/with_food")
    abstainer.process([msg])
    assert msg.get("intent")["name"] == "nlu_fallback"
    assert entities(msg) == {"unknown_topic": ("driving", text.index("drive"), text.index("drive") + 5)}
    assert msg.get("abstention")["topic"] == "driving"


def test_interaction_type_topics_get_the_interaction_answer(abstainer):
    msg = message("valtrex and grapefruit juice", "ask_uses", "ask_uses/with_food")
    abstainer.process([msg])
    assert msg.get("intent")["name"] == "personal_advice"
    assert msg.get("response_selector")["personal_advice"]["response"]["intent_response_key"] == (
        "personal_advice/interaction"
    )
    # A back-pain pain-reliever answer keeps its question.
    msg = message("is tylenol ok for back pain on valtrex", "ask_back_pain", "ask_back_pain/pain_relievers")
    abstainer.process([msg])
    assert msg.get("intent")["name"] == "ask_back_pain"


def test_urgent_other_intents_and_buttons_are_left_alone(abstainer):
    for msg in (
        message("i can not feel my legs", "urgent_help", "urgent_help/cauda_equina", 0.5, 0.2),
        message("hello there", "greet", None),
        message("/ask_side_effects/kidney", answer_confidence=1.0, intent_confidence=0.1),
    ):
        before = msg.get("intent")["name"]
        abstainer.process([msg])
        assert msg.get("intent")["name"] == before
        assert not msg.get("entities")


def test_a_message_the_classifier_gave_up_on_gets_suggestions_only_if_something_is_close(abstainer):
    msg = message("kidney hurt valtrex", "nlu_fallback", None, 0.4)
    abstainer.process([msg])
    assert entities(msg)["suggestion_1"][0] == "ask_side_effects/kidney"
    msg = message("asdf qwerty", "nlu_fallback", None, 0.0)
    abstainer.process([msg])
    assert not msg.get("entities")
    assert msg.get("abstention")["decision"] == "fallback"


def test_fits_needs_every_threshold():
    thresholds = {"intent": 0.6, "answer": 0.4, "similarity": 0.15, "agreement": 0.5}
    figures = {"intent_confidence": 0.9, "answer_confidence": 0.9, "similarity": 0.3, "nearest_agrees": False}
    assert fits(figures, thresholds)
    assert not fits(dict(figures, similarity=0.1), thresholds)
    assert not fits(dict(figures, intent_confidence=0.5), thresholds)
    assert not fits(dict(figures, answer_confidence=0.3), thresholds)
    assert fits(dict(figures, answer_confidence=0.3, nearest_agrees=True, similarity=0.6), thresholds)


def test_settings_name_existing_answers(responses):
    suggested = set(SETTINGS["suggestions"]) | {
        a for answers in SETTINGS["overviews"].values() for a in answers
    }
    routed = {topic["route"] for topic in SETTINGS["not_in_label"] if topic.get("route")}
    for answer in suggested | routed:
        assert f"utter_{answer}" in responses, answer
    assert set(a for answers in SETTINGS["overviews"].values() for a in answers) <= set(
        SETTINGS["suggestions"]
    )
    # A suggestion never sends anyone to an urgent answer.
    assert not [a for a in suggested if a.startswith("urgent_help/")]


def test_replies_that_say_what_is_not_known_name_their_slots(responses, domain):
    for name in ("utter_other_medicine", "utter_not_in_label", "utter_abstain"):
        assert "checked information" in responses[name]["text"], name
        assert "pharmacist" in responses[name]["text"], name
    assert "{medicine}" in responses["utter_other_medicine"]["text"]
    assert "{unknown_topic}" in responses["utter_not_in_label"]["text"]
    slots = {
        slot
        for button in responses["utter_abstain"]["buttons"]
        for slot in (button["title"][1:-1], button["payload"][2:-1])
    }
    assert slots == {"suggestion_1", "suggestion_1_title", "suggestion_2", "suggestion_2_title"}
    for slot in slots | {"medicine", "unknown_topic"}:
        assert domain["slots"][slot]["mappings"] == [{"type": "from_entity", "entity": slot}]
    assert (ROOT / "data" / "rules" / "abstention.yml").exists()


def fallback(text, top_intent, best_answer):
    """What the FallbackClassifier leaves when the classifier hesitated between intents."""
    msg = Message(
        data={
            "text": text,
            "intent": {"name": "nlu_fallback", "confidence": 0.5},
            "intent_ranking": [
                {"name": "nlu_fallback", "confidence": 0.5},
                {"name": top_intent, "confidence": 0.45},
                {"name": "personal_advice", "confidence": 0.4},
            ],
            "response_selector": {
                "default": {
                    "response": {},
                    "ranking": [{"intent_response_key": best_answer, "confidence": 0.8}],
                }
            },
        }
    )
    TOKENIZER.process([msg])
    return msg


def test_a_hesitant_classifier_is_rescued_by_a_question_very_like_its_own_pick(abstainer):
    msg = fallback("can valtrex hurt your kidneys", "ask_side_effects", "ask_side_effects/kidney")
    abstainer.process([msg])
    assert msg.get("intent")["name"] == "ask_side_effects"
    assert msg.get("abstention")["rescued"] is True


def test_no_rescue_when_the_closest_answer_is_not_the_classifiers_pick(abstainer):
    msg = fallback("can valtrex hurt your kidneys", "ask_side_effects", "ask_side_effects/common")
    abstainer.process([msg])
    assert msg.get("intent")["name"] == "nlu_fallback"


@pytest.mark.parametrize("text", ["do i take valtrex with food", "should i eat before my valtrex pill"])
def test_with_food_questions_get_the_with_food_answer_not_a_personal_one(assistant, text):
    """ "take it with food" reads like an interaction question to the personal patterns."""
    parsed = assistant.parse(text)
    assert parsed["intent"]["full_retrieval_intent_name"] == "ask_uses/with_food"
