"""The RetrievalRouter silences Rasa's warning about sub-topic buttons: only for
its own sub-topics, only once it is in use, never on import."""

import importlib
import warnings

from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.training_data.message import Message

import components.retrieval
from components.retrieval import RetrievalRouter

DOMAIN = Domain.from_dict({"intents": ["ask_side_effects"]})


def test_importing_the_module_changes_no_warning_filter():
    with warnings.catch_warnings():
        warnings.resetwarnings()
        importlib.reload(components.retrieval)
        assert warnings.filters == []


def test_only_the_routers_own_sub_topic_buttons_are_quiet(tmp_path):
    payloads = ["/ask_side_effects/kidney", "/ask_side_effects/unknown", "/ask_side_effects/kidney_and_more"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        warnings.simplefilter("always")
        RetrievalRouter(LocalModelStorage(tmp_path), Resource("router"), {"ask_side_effects/kidney"})
        for payload in payloads:
            YAMLStoryReader.unpack_regex_message(Message(data={"text": payload}), DOMAIN)
    warned = [p for p in payloads if any(f"line '{p}'" in str(w.message) for w in caught)]
    assert warned == payloads[1:]
