"""Which answer a vote ("was this helpful?") is about.

A vote is a user message of intent `helpful` or `not_helpful`. The widget's
buttons name the answer (/not_helpful{"answer": "utter_ask_back_pain/kidney_warning"});
a vote typed in the shell ("that didn't help", 👎) is about the latest answer.
The record, {"vote": "up" | "down", "answer": <response name or null>}, goes into
the metadata of the reply to the vote (service/nlg.py), so it is stored with the
conversation, holds no message text, and `make purge` and "forget me" delete it
with the rest.
"""

import re
from typing import Any, Collection, Dict, Optional, Text

from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker

VOTES = {"helpful": "up", "not_helpful": "down"}
# The replies to a vote: utter_<intent> (data/rules/service.yml).
VOTE_REPLIES = {f"utter_{intent}": intent for intent in VOTES}
# A curated answer: utter_<intent>/<sub-topic> (the greeting, the disclaimer and
# the topic list are not answers).
ANSWER = re.compile(r"utter_[a-z_]+/[a-z_]+")


def is_answer(name: Any) -> bool:
    return isinstance(name, str) and ANSWER.fullmatch(name) is not None


def latest_answer(tracker: DialogueStateTracker) -> Optional[Text]:
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered) and is_answer(event.metadata.get("utter_action")):
            return event.metadata["utter_action"]
    return None


def vote_record(tracker: DialogueStateTracker, known_answers: Collection[Text]) -> Optional[Dict[Text, Any]]:
    """The latest message's vote and the answer it is about: the answer it names
    if that is one of `known_answers` (so no free text is ever recorded), else the
    latest answer of the conversation (None if there was none)."""
    message = tracker.latest_message
    vote = VOTES.get((message.intent or {}).get("name")) if message else None
    if vote is None:
        return None
    named = next(
        (entity.get("value") for entity in message.entities if entity.get("entity") == "answer"), None
    )
    answer = named if named in known_answers else latest_answer(tracker)
    return {"vote": vote, "answer": answer}
