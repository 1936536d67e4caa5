"""RetrievalRouter: button payloads name an answer; answers stay inside their intent."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.retrieval import RetrievalRouter

KEYS = {"ask_back_pain/is_side_effect", "ask_back_pain/causes", "ask_side_effects/kidney"}


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


@pytest.fixture
def router(storage):
    return RetrievalRouter(storage, Resource("router"), set(KEYS))


def message(text, intent=None, ranking=()):
    data = {"text": text}
    if intent:
        data["intent"] = {"name": intent, "confidence": 0.9}
        data["intent_ranking"] = [data["intent"]]
    data["response_selector"] = {
        "all_retrieval_intents": ["ask_back_pain", "ask_side_effects"],
        "default": {
            "response": {"intent_response_key": ranking[0][0] if ranking else None},
            "ranking": [{"intent_response_key": k, "confidence": c} for k, c in ranking],
        },
    }
    return Message(data=data)


def selected(msg, key):
    return msg.get("response_selector")[key]["response"]["intent_response_key"]


def test_button_payload_sets_intent_and_answer(router):
    msg = message("/ask_side_effects/kidney", intent="nlu_fallback")
    router.process([msg])
    assert msg.get("intent") == {"name": "ask_side_effects", "confidence": 1.0}
    assert msg.get("intent_ranking")[0] == {"name": "ask_side_effects", "confidence": 1.0}
    assert selected(msg, "ask_side_effects") == "ask_side_effects/kidney"
    assert msg.get("response_selector")["ask_side_effects"]["response"]["utter_action"] == (
        "utter_ask_side_effects/kidney"
    )


def test_unknown_payload_is_left_to_the_classifier(router):
    msg = message("/ask_side_effects/made_up", intent="nlu_fallback")
    router.process([msg])
    assert msg.get("intent")["name"] == "nlu_fallback"


def test_answer_from_another_intent_is_replaced(router):
    ranking = [
        ("ask_side_effects/kidney", 0.6),
        ("ask_back_pain/is_side_effect", 0.3),
        ("ask_back_pain/causes", 0.1),
    ]
    msg = message("does valtrex hurt your back", intent="ask_back_pain", ranking=ranking)
    router.process([msg])
    assert selected(msg, "ask_back_pain") == "ask_back_pain/is_side_effect"
    assert selected(msg, "default") == "ask_back_pain/is_side_effect"
    # The shared ranking is kept for whoever wants to inspect it.
    assert len(msg.get("response_selector")["default"]["ranking"]) == 3


def test_non_retrieval_intent_is_untouched(router):
    ranking = [("ask_side_effects/kidney", 0.9)]
    msg = message("hello", intent="greet", ranking=ranking)
    router.process([msg])
    assert "greet" not in msg.get("response_selector")
    assert selected(msg, "default") == "ask_side_effects/kidney"


def test_known_answers_survive_training_and_loading(storage):
    resource = Resource("router")
    context = ExecutionContext(GraphSchema({}), "test")
    data = TrainingData(
        [
            Message(
                data={
                    "text": "is back pain a side effect",
                    "intent": "ask_back_pain",
                    "intent_response_key": "ask_back_pain/is_side_effect",
                }
            ),
            Message(data={"text": "hi", "intent": "greet"}),
        ]
    )
    RetrievalRouter.create({}, storage, resource, context).train(data)
    loaded = RetrievalRouter.load({}, storage, resource, context)
    assert loaded.response_keys == {"ask_back_pain/is_side_effect"}
