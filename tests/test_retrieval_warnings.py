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


def payload_warnings(text):
    """The UserWarnings Rasa's payload reader raises for a button payload."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", append=True)  # after the router's filter
        YAMLStoryReader.unpack_regex_message(Message(data={"text": text}), DOMAIN)
    return [w for w in caught if issubclass(w.category, UserWarning)]


def test_only_the_routers_own_sub_topic_buttons_are_quiet(tmp_path):
    with warnings.catch_warnings():
        RetrievalRouter(LocalModelStorage(tmp_path), Resource("router"), {"ask_side_effects/kidney"})
        assert payload_warnings("/ask_side_effects/kidney") == []
        assert len(payload_warnings("/ask_side_effects/unknown")) == 1
        assert len(payload_warnings("/ask_side_effects/kidney_and_more")) == 1
