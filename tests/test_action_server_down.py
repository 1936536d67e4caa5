"""An action server that is down changes nothing: no answer, urgent or not, needs one.

The assistant has no custom actions (actions/__init__.py). This guards that: with
an action endpoint configured that nobody listens on, content answers and urgent
routing still work, so a custom action added later on either path fails here.
"""

import asyncio

import pytest
from rasa.core.agent import Agent
from rasa.utils.endpoints import EndpointConfig

from bench.server import MODEL, free_port


@pytest.fixture(scope="module")
def agent_without_action_server():
    dead = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")  # nothing listens here
    return Agent.load(str(MODEL), action_endpoint=dead)


@pytest.mark.parametrize(
    "message, first_words",
    [
        ("my son swallowed a whole bottle of valtrex", "Call 911 now"),
        ("what is valtrex used for", "In adults, valacyclovir treats cold sores"),
        ("/ask_side_effects/kidney", "Valacyclovir can rarely harm the kidneys"),
    ],
)
def test_answers_do_not_need_the_action_server(agent_without_action_server, message, first_words):
    replies = asyncio.run(agent_without_action_server.handle_text(message, sender_id=message))
    texts = [reply["text"] for reply in replies if "text" in reply]
    assert any(text.startswith(first_words) for text in texts), texts
