"""What the assistant says to a first message, as the person sees it.

The blind evaluations judge the replies, not the parse data: an emergency counts
as caught only when the reply itself is styled urgent and says the right lines.

    with Conversations(model) as talk:
        replies = talk.first_turn("my son swallowed my pills")
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List

# Shown around an answer, not an answer themselves.
FRAME = {"utter_disclaimer", "utter_topics", "utter_greet"}


@dataclass(frozen=True)
class Reply:
    name: str  # the response, e.g. "utter_urgent_help/overdose"
    text: str
    metadata: Dict[str, Any] = field(default_factory=dict)  # the response's own metadata

    @property
    def urgent(self) -> bool:
        return bool(self.metadata.get("urgent"))


def answer_of(replies: List[Reply]) -> Reply:
    """The reply that answers the message (not the disclaimer or topic buttons)."""
    answers = [reply for reply in replies if reply.name not in FRAME]
    return answers[0] if answers else Reply("", "")


class Conversations:
    """The trained model in memory; every message opens a new conversation."""

    def __init__(self, model: Path) -> None:
        from rasa.core.agent import Agent
        from rasa.utils.log_utils import configure_structlog

        configure_structlog(logging.WARNING)  # no per-message debug lines
        self._agent = Agent.load(str(model))  # no endpoints: conversations in memory
        self._loop = asyncio.new_event_loop()

    def __enter__(self) -> Conversations:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._loop.close()

    def parse(self, text: str) -> Dict[str, Any]:
        return self._loop.run_until_complete(self._agent.parse_message(text))

    def first_turn(self, text: str) -> List[Reply]:
        from rasa.shared.core.events import BotUttered

        sender = f"eval-{uuid.uuid4().hex}"
        self._loop.run_until_complete(self._agent.handle_text(text, sender_id=sender))
        tracker = self._loop.run_until_complete(self._agent.tracker_store.retrieve(sender))
        return [
            Reply(
                event.metadata.get("utter_action", ""), event.text or "", event.metadata.get("metadata") or {}
            )
            for event in tracker.events
            if isinstance(event, BotUttered)
        ]
